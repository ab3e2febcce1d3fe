"""Err Walk (er01): a walker whose step() can raise, for arcgym tests.

Test data for arcgym. It plays like a normal game:

* ACTION1-4 walk one cell; reaching the exit (green) completes the level and
  the last level wins. Every available action spends one step of the level's
  budget and an empty budget is GAME_OVER.
* ACTION5 swaps the walker's colour, except on the marked cell (red): there
  ACTION5 raises RuntimeError("deliberate failure in step") from step().
  Nothing has changed when it raises, so the game can be played on.

It also prints a line to stdout every time a level is set (construction,
RESET, next level), to check that workers survive games that print.
"""

from __future__ import annotations

from arcengine import ARCBaseGame, Camera, GameAction, InteractionMode, Level, Sprite

LEVEL_SPECS: list[tuple[str, int, list[str]]] = [
    (
        "yard",
        22,
        [
            "##########",
            "#P...#...#",
            "#.##.#.#.#",
            "#.#M...#.#",
            "#.#.####.#",
            "#...#..#.#",
            "###.#.##.#",
            "#.....#..#",
            "#.###...X#",
            "##########",
        ],
    ),
    (
        "lane",
        40,
        [
            "############",
            "#P.........#",
            "#.########.#",
            "#.#......#.#",
            "#.#.####.#.#",
            "#...#M.#...#",
            "#####.##.###",
            "#......#...#",
            "#.##.#.###.#",
            "#.#..#.....#",
            "#.#X.#####.#",
            "############",
        ],
    ),
]

MOVES: dict[GameAction, tuple[int, int]] = {
    GameAction.ACTION1: (0, -1),
    GameAction.ACTION2: (0, 1),
    GameAction.ACTION3: (-1, 0),
    GameAction.ACTION4: (1, 0),
}
AVAILABLE = [1, 2, 3, 4, 5]

C_FLOOR = 1
C_WALL = 4
C_MARK = 8
C_EXIT = 14
PLAYER_COLOURS = (9, 6)


def build_level(name: str, budget: int, rows: list[str]) -> Level:
    sprites: list[Sprite] = []
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            if ch == "#":
                sprites.append(Sprite([[C_WALL]], name=f"wall_{x}_{y}", x=x, y=y, layer=1, tags=["wall"]))
            elif ch == "M":
                sprites.append(Sprite([[C_MARK]], name="mark", x=x, y=y, layer=0, interaction=InteractionMode.INTANGIBLE, tags=["mark"]))
            elif ch == "X":
                sprites.append(Sprite([[C_EXIT]], name="exit", x=x, y=y, layer=0, interaction=InteractionMode.INTANGIBLE, tags=["exit"]))
            elif ch == "P":
                sprites.append(Sprite([[PLAYER_COLOURS[0]]], name="player", x=x, y=y, layer=2, tags=["player"]))
    return Level(sprites=sprites, grid_size=(len(rows[0]), len(rows)), data={"rows": list(rows), "budget": budget}, name=name)


class ErrWalk(ARCBaseGame):
    def __init__(self) -> None:
        levels = [build_level(*spec) for spec in LEVEL_SPECS]
        camera = Camera(background=C_FLOOR, letter_box=5)
        super().__init__(game_id="er01", levels=levels, camera=camera, available_actions=list(AVAILABLE))

    def on_set_level(self, level: Level) -> None:
        print(f"er01: level {level.name} set", flush=True)
        self._rows: list[str] = level.get_data("rows")
        self._left: int = level.get_data("budget")
        self._player = level.get_sprites_by_name("player")[0]
        self._colour = 0

    def step(self) -> None:
        action = self.action.id
        if action.value not in AVAILABLE:
            self.complete_action()
            return
        tile = self._rows[self._player.y][self._player.x]
        if action == GameAction.ACTION5 and tile == "M":
            raise RuntimeError("deliberate failure in step")
        self._left -= 1
        if action in MOVES:
            dx, dy = MOVES[action]
            self.try_move_sprite(self._player, dx, dy)
        else:
            self._colour ^= 1
            self._player.pixels[0, 0] = PLAYER_COLOURS[self._colour]
        if self._rows[self._player.y][self._player.x] == "X":
            self.next_level()
        elif self._left <= 0:
            self.lose()
        self.complete_action()
