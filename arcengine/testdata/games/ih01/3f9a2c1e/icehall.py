"""Ice Hall (ih01): a keyboard puzzle written for the ARC-AGI-3 engine.

Test data for arcgym. Rules:

* ACTION1-4 walk one cell up/down/left/right.
* Ice keeps the walker sliding in the same direction, one cell per rendered
  frame, until the next cell is blocked or the walker reaches a non-ice cell.
  A single action can therefore return many frames.
* ACTION5 on a switch flips every gate (shut <-> open).
* ACTION7 undoes the last successful move or flip.
* Every available action spends one unit of the level's step budget, drawn as
  a bar on the bottom row of the 64x64 frame. Spending the last unit without
  standing on the exit ends the game (GAME_OVER).
* Reaching the exit advances to the next level; the last level wins.

The three levels use different play-area sizes (64x64, 8x8 and 21x21), so the
camera scales by 1, 8 and 3 (the last one with a one-pixel letterbox). The
walls are built from many small sprites, on purpose: the engine's collision
checks and renderer walk every sprite, which makes each step cost roughly as
much as in the published ARC-AGI-3 games.
"""

from __future__ import annotations

import numpy as np
from arcengine import (
    ARCBaseGame,
    Camera,
    GameAction,
    InteractionMode,
    Level,
    RenderableUserDisplay,
    Sprite,
)

# Map legend.
WALL = "#"
FLOOR = "."
ICE = "~"
SWITCH = "S"
EXIT = "X"
GATE_SHUT = "G"
GATE_OPEN = "g"
START = "P"

# (name, cell size in grid pixels, step budget, rows)
LEVEL_SPECS: list[tuple[str, int, int, list[str]]] = [
    (
        "hall",
        4,
        40,
        [
            "################",
            "#P.#.....#.....#",
            "#..#.##..#..#..#",
            "#..~~~~~~~~~~S.#",
            "#..#.##..#..#..#",
            "#..............#",
            "#.##.##.##.##..#",
            "#..............#",
            "#..............#",
            "#########G######",
            "#..............#",
            "#.#.#.#.#.#.#..#",
            "#..............#",
            "#.#.#.#.#.#.#..#",
            "#.............X#",
            "################",
        ],
    ),
    (
        "closet",
        1,
        20,
        [
            "########",
            "#P..~~S#",
            "#.##.#.#",
            "#.....~#",
            "###.#.~#",
            "#X.G..~#",
            "#..#...#",
            "########",
        ],
    ),
    (
        "maze",
        1,
        130,
        [
            "#####################",
            "#P#.......#...#.....#",
            "#.###.###.#.#.#.###.#",
            "#...#...#...#.....#.#",
            "###.#.#############.#",
            "#.#.#.#...#.......#.#",
            "#.#.###.#.#.###.#.#.#",
            "#.#.....#...#.....#.#",
            "#.###.#######.#####.#",
            "#.~~~.~~#...#...#...#",
            "#.###.###.#.###.#.#.#",
            "#...#.....#...#...#.#",
            "###.#########.#####.#",
            "#...#.......#~~~~~~S#",
            "#.#####.###.#.#####.#",
            "#.#.....#.#.#.......#",
            "#.#.#####.#.#########",
            "#.#.#...#...#.......#",
            "#.#.#.###.#####G###.#",
            "#...#~~~~~~~~~..#..X#",
            "#####################",
        ],
    ),
]

DIRECTIONS: dict[GameAction, tuple[int, int]] = {
    GameAction.ACTION1: (0, -1),
    GameAction.ACTION2: (0, 1),
    GameAction.ACTION3: (-1, 0),
    GameAction.ACTION4: (1, 0),
}

AVAILABLE = [1, 2, 3, 4, 5, 7]

# Palette indices.
C_FLOOR = 4
C_LETTERBOX = 5
C_WALL_A = 2
C_WALL_B = 3
C_ICE = 10
C_SHINE = 0
C_SWITCH_OFF = 12
C_SWITCH_ON = 11
C_EXIT = 14
C_GATE = 15
C_GATE_OPEN = 7
C_PLAYER = 9
C_EYE = 0
C_BAR_FULL = 11
C_BAR_EMPTY = 3


def _solid(size: int, colour: int) -> list[list[int]]:
    return [[colour] * size for _ in range(size)]


def _wall_pieces(cx: int, cy: int, cell: int) -> list[Sprite]:
    """A wall cell, built brick by brick: one sprite per two pixel rows."""
    pieces = []
    band = 2 if cell >= 4 else 1
    for row in range(0, cell, band):
        shade = C_WALL_A if (row // band + cx + cy) % 2 == 0 else C_WALL_B
        pixels = [[shade] * cell for _ in range(min(band, cell - row))]
        if cell >= 4:
            pixels[-1][(cx + row) % cell] = C_WALL_B if shade == C_WALL_A else C_WALL_A
        pieces.append(
            Sprite(
                pixels,
                name=f"wall_{cx}_{cy}_{row}",
                x=cx * cell,
                y=cy * cell + row,
                layer=1,
                tags=["wall"],
            )
        )
    return pieces


def _ice_tile(cx: int, cy: int, cell: int) -> Sprite:
    pixels = _solid(cell, C_ICE)
    if cell > 1:
        pixels[0][(cx + cy) % cell] = C_SHINE
    return Sprite(pixels, name=f"ice_{cx}_{cy}", x=cx * cell, y=cy * cell, layer=0, interaction=InteractionMode.INTANGIBLE, tags=["ice"])


def _frost(cx: int, cy: int, cell: int) -> list[Sprite]:
    """Floor decoration on the big level: one frost speck per floor cell."""
    if cell < 4:
        return []
    px = (cx * 3 + cy * 5) % cell
    py = (cx * 7 + cy * 2) % cell
    return [
        Sprite(
            [[C_WALL_B]],
            name=f"frost_{cx}_{cy}",
            x=cx * cell + px,
            y=cy * cell + py,
            layer=0,
            interaction=InteractionMode.INTANGIBLE,
            tags=["decor"],
        )
    ]


def _player_pixels(cell: int) -> list[list[int]]:
    pixels = _solid(cell, C_PLAYER)
    if cell >= 3:
        pixels[1][cell - 2] = C_EYE
    return pixels


def _gate_open_pixels(cell: int) -> list[list[int]]:
    if cell == 1:
        return [[C_GATE_OPEN]]
    return [[C_GATE_OPEN if (x + y) % 2 == 0 else -1 for x in range(cell)] for y in range(cell)]


def build_level(name: str, cell: int, budget: int, rows: list[str]) -> Level:
    sprites: list[Sprite] = []
    height = len(rows)
    width = len(rows[0])
    for cy, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"level {name}: row {cy} has width {len(row)}, want {width}")
        for cx, ch in enumerate(row):
            x, y = cx * cell, cy * cell
            if ch == WALL:
                sprites.extend(_wall_pieces(cx, cy, cell))
            elif ch == ICE:
                sprites.append(_ice_tile(cx, cy, cell))
            elif ch == SWITCH:
                sprites.append(Sprite(_solid(cell, C_SWITCH_OFF), name=f"switch_{cx}_{cy}", x=x, y=y, layer=0, interaction=InteractionMode.INTANGIBLE, tags=["switch"]))
            elif ch == EXIT:
                pixels = _solid(cell, C_EXIT)
                if cell >= 3:
                    for i in range(1, cell - 1):
                        for j in range(1, cell - 1):
                            pixels[i][j] = C_FLOOR
                sprites.append(Sprite(pixels, name="exit", x=x, y=y, layer=0, interaction=InteractionMode.INTANGIBLE, tags=["exit"]))
            elif ch in (GATE_SHUT, GATE_OPEN):
                shut = ch == GATE_SHUT
                sprites.append(
                    Sprite(
                        _solid(cell, C_GATE),
                        name=f"gate_{cx}_{cy}",
                        x=x,
                        y=y,
                        layer=1,
                        interaction=InteractionMode.TANGIBLE if shut else InteractionMode.REMOVED,
                        tags=["gate"],
                    )
                )
                sprites.append(
                    Sprite(
                        _gate_open_pixels(cell),
                        name=f"gateway_{cx}_{cy}",
                        x=x,
                        y=y,
                        layer=0,
                        interaction=InteractionMode.REMOVED if shut else InteractionMode.INTANGIBLE,
                        tags=["gateway"],
                    )
                )
            elif ch == START:
                sprites.append(Sprite(_player_pixels(cell), name="player", x=x, y=y, layer=3, tags=["player"]))
            elif ch == FLOOR:
                sprites.extend(_frost(cx, cy, cell))
            else:
                raise ValueError(f"level {name}: unknown map character {ch!r}")
    return Level(
        sprites=sprites,
        grid_size=(width * cell, height * cell),
        data={"rows": list(rows), "cell": cell, "budget": budget},
        name=name,
    )


class BudgetBar(RenderableUserDisplay):
    """Bottom-row bar: yellow for the steps left, grey for the steps spent."""

    def __init__(self) -> None:
        self.total = 1
        self.left = 1

    def render_interface(self, frame: np.ndarray) -> np.ndarray:
        filled = 0
        if self.left > 0:
            filled = max(1, (64 * self.left) // self.total)
        frame[63, :] = C_BAR_EMPTY
        frame[63, :filled] = C_BAR_FULL
        return frame


class IceHall(ARCBaseGame):
    def __init__(self) -> None:
        self._bar = BudgetBar()
        levels = [build_level(*spec) for spec in LEVEL_SPECS]
        camera = Camera(background=C_FLOOR, letter_box=C_LETTERBOX, interfaces=[self._bar])
        super().__init__(game_id="ih01", levels=levels, camera=camera, available_actions=list(AVAILABLE))

    # Level state -----------------------------------------------------------

    def on_set_level(self, level: Level) -> None:
        self._rows: list[str] = level.get_data("rows")
        self._cell: int = level.get_data("cell")
        self._bar.total = level.get_data("budget")
        self._bar.left = self._bar.total
        self._player = level.get_sprites_by_name("player")[0]
        self._gates: dict[tuple[int, int], tuple[Sprite, Sprite]] = {}
        for shut in level.get_sprites_by_tag("gate"):
            cx, cy = shut.x // self._cell, shut.y // self._cell
            self._gates[(cx, cy)] = (shut, level.get_sprites_by_name(f"gateway_{cx}_{cy}")[0])
        self._switches = level.get_sprites_by_tag("switch")
        self._flips = 0
        self._history: list[tuple[int, int, int]] = []
        self._slide: tuple[int, int] | None = None

    def _cell_of_player(self) -> tuple[int, int]:
        return self._player.x // self._cell, self._player.y // self._cell

    def _tile(self, cx: int, cy: int) -> str:
        if 0 <= cy < len(self._rows) and 0 <= cx < len(self._rows[cy]):
            return self._rows[cy][cx]
        return WALL

    def _passable(self, cx: int, cy: int) -> bool:
        tile = self._tile(cx, cy)
        if tile == WALL:
            return False
        gate = self._gates.get((cx, cy))
        if gate is not None and gate[0].is_collidable:
            return False
        return True

    def _flip_gates(self) -> None:
        self._flips ^= 1
        for shut, gateway in self._gates.values():
            if shut.is_collidable:
                shut.set_interaction(InteractionMode.REMOVED)
                gateway.set_interaction(InteractionMode.INTANGIBLE)
            else:
                shut.set_interaction(InteractionMode.TANGIBLE)
                gateway.set_interaction(InteractionMode.REMOVED)
        colour = C_SWITCH_ON if self._flips else C_SWITCH_OFF
        for switch in self._switches:
            switch.pixels = np.full(switch.pixels.shape, colour, dtype=np.int8)

    def _snapshot(self) -> tuple[int, int, int]:
        return self._player.x, self._player.y, self._flips

    def _restore(self, snap: tuple[int, int, int]) -> None:
        x, y, flips = snap
        self._player.set_position(x, y)
        if flips != self._flips:
            self._flip_gates()

    # Actions ---------------------------------------------------------------

    def _walk(self, dx: int, dy: int) -> bool:
        """Move the walker one cell, using the engine's collision test."""
        return not self.try_move_sprite(self._player, dx * self._cell, dy * self._cell)

    def _keeps_sliding(self, dx: int, dy: int) -> bool:
        cx, cy = self._cell_of_player()
        return self._tile(cx, cy) == ICE and self._passable(cx + dx, cy + dy)

    def _settle(self) -> None:
        cx, cy = self._cell_of_player()
        if self._tile(cx, cy) == EXIT:
            self.next_level()
        elif self._bar.left <= 0:
            self.lose()
        self.complete_action()

    def step(self) -> None:
        if self._slide is not None:
            dx, dy = self._slide
            self._walk(dx, dy)
            if not self._keeps_sliding(dx, dy):
                self._slide = None
                self._settle()
            return

        action = self.action.id
        if action.value not in AVAILABLE:
            # RESET and unavailable actions change nothing.
            self.complete_action()
            return

        self._bar.left -= 1
        if action in DIRECTIONS:
            dx, dy = DIRECTIONS[action]
            before = self._snapshot()
            if self._walk(dx, dy):
                self._history.append(before)
                if self._keeps_sliding(dx, dy):
                    self._slide = (dx, dy)
                    return
        elif action == GameAction.ACTION5:
            cx, cy = self._cell_of_player()
            if self._tile(cx, cy) == SWITCH:
                self._history.append(self._snapshot())
                self._flip_gates()
        elif action == GameAction.ACTION7:
            if self._history:
                self._restore(self._history.pop())
        self._settle()
