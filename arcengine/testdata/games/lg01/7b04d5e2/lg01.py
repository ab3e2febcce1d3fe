"""Lantern Grid (lg01): a click puzzle written for the ARC-AGI-3 engine.

Test data for arcgym. The only available action is ACTION6 (a click at x,y in
0..63 screen coordinates, mapped to the level grid with
camera.display_to_grid).

* Clicking a lantern toggles it and its four neighbours (lights-out). The
  click plays a three-frame animation: the lantern flashes, then the
  neighbours flash, then everything settles.
* Clicking a dial cycles its colour (two frames: flash, new colour). Under
  every dial a key shows the colour it must show.
* Every click costs one unit of the level's click budget (pips on the top
  row), including clicks that hit nothing. A level is complete as soon as all
  lanterns are lit and every dial matches its key; running out of clicks
  before that is GAME_OVER. The last level wins.

Clickable sprites carry the "sys_click" tag. The board is tiled with a few
hundred small sprites so that rendering costs about what the published games
cost.
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

C_BACK = 5
C_TILE_A = 4
C_TILE_B = 5
C_SOCKET = 2
C_ON = 11
C_ON_EDGE = 12
C_OFF = 3
C_OFF_CORE = 4
C_FLASH = 0
C_PIP_LEFT = 14
C_PIP_SPENT = 3
DIAL_COLOURS = [8, 14, 9, 15]

# Level layouts. "clicks" are the lanterns whose plus-shaped toggles were
# applied to an all-lit board to make the start position; "dials" are
# (start colour index, target colour index) pairs.
LEVEL_SPECS: list[dict] = [
    {
        "name": "three",
        "grid": (32, 32),
        "tile": 2,
        "lamps": (3, 3),
        "size": 6,
        "pitch": 8,
        "origin": (5, 5),
        "clicks": [(1, 1)],
        "dials": [],
        "dial_y": 0,
        "budget": 4,
    },
    {
        "name": "four",
        "grid": (40, 40),
        "tile": 2,
        "lamps": (4, 4),
        "size": 5,
        "pitch": 7,
        "origin": (7, 3),
        "clicks": [(0, 0), (2, 3)],
        "dials": [(3, 0), (0, 2)],
        "dial_y": 31,
        "budget": 9,
    },
    {
        "name": "five",
        "grid": (64, 64),
        "tile": 4,
        "lamps": (5, 5),
        "size": 6,
        "pitch": 8,
        "origin": (13, 4),
        "clicks": [(0, 4), (2, 2), (4, 1)],
        "dials": [(3, 0), (0, 2), (2, 1)],
        "dial_y": 47,
        "budget": 14,
    },
]


def lamp_pixels(size: int, lit: bool) -> np.ndarray:
    if lit:
        px = np.full((size, size), C_ON, dtype=np.int8)
        for y, x in ((0, 0), (0, size - 1), (size - 1, 0), (size - 1, size - 1)):
            px[y, x] = C_ON_EDGE
    else:
        px = np.full((size, size), C_OFF, dtype=np.int8)
        px[1:-1, 1:-1] = C_OFF_CORE
    return px


def flash_pixels(size: int) -> np.ndarray:
    return np.full((size, size), C_FLASH, dtype=np.int8)


def dial_pixels(size: int, colour_index: int) -> np.ndarray:
    px = np.full((size, size), DIAL_COLOURS[colour_index], dtype=np.int8)
    px[0, :] = C_SOCKET
    px[-1, :] = C_SOCKET
    return px


def toggled(lit: list[list[bool]], r: int, c: int) -> list[tuple[int, int]]:
    rows, cols = len(lit), len(lit[0])
    cells = [(r, c), (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
    return [(y, x) for y, x in cells if 0 <= y < rows and 0 <= x < cols]


def build_level(spec: dict) -> Level:
    width, height = spec["grid"]
    tile = spec["tile"]
    rows, cols = spec["lamps"]
    size, pitch = spec["size"], spec["pitch"]
    ox, oy = spec["origin"]

    lit = [[True] * cols for _ in range(rows)]
    for r, c in spec["clicks"]:
        for y, x in toggled(lit, r, c):
            lit[y][x] = not lit[y][x]

    sprites: list[Sprite] = []
    for ty in range(0, height, tile):
        for tx in range(0, width, tile):
            px = [[C_TILE_A] * tile for _ in range(tile)]
            if ((tx + ty) // tile) % 3 == 0:
                px[0][0] = C_TILE_B
            sprites.append(Sprite(px, name=f"tile_{tx}_{ty}", x=tx, y=ty, layer=0, interaction=InteractionMode.INTANGIBLE, tags=["tile"]))
    for r in range(rows):
        for c in range(cols):
            x, y = ox + c * pitch, oy + r * pitch
            sprites.append(
                Sprite(
                    [[C_SOCKET] * (size + 2) for _ in range(size + 2)],
                    name=f"socket_{r}_{c}",
                    x=x - 1,
                    y=y - 1,
                    layer=1,
                    interaction=InteractionMode.INTANGIBLE,
                    tags=["socket"],
                )
            )
            sprites.append(Sprite(lamp_pixels(size, lit[r][c]), name=f"lamp_{r}_{c}", x=x, y=y, layer=2, tags=["sys_click", "lamp"]))
    for i, (start, target) in enumerate(spec["dials"]):
        x, y = ox + i * pitch * 2, spec["dial_y"]
        sprites.append(Sprite(dial_pixels(size, start), name=f"dial_{i}", x=x, y=y, layer=2, tags=["sys_click", "dial"]))
        key = [[DIAL_COLOURS[target]] * size for _ in range(2)]
        sprites.append(Sprite(key, name=f"key_{i}", x=x, y=y + size + 1, layer=1, interaction=InteractionMode.INTANGIBLE, tags=["key"]))

    data = {
        "lit": lit,
        "size": size,
        "dials": [list(d) for d in spec["dials"]],
        "budget": spec["budget"],
    }
    return Level(sprites=sprites, grid_size=(width, height), data=data, name=spec["name"])


class ClickPips(RenderableUserDisplay):
    """Top-row pips: green for clicks left, grey for clicks spent."""

    def __init__(self) -> None:
        self.total = 0
        self.left = 0

    def render_interface(self, frame: np.ndarray) -> np.ndarray:
        for i in range(self.total):
            x = 1 + 3 * i
            frame[0, x : x + 2] = C_PIP_LEFT if i < self.left else C_PIP_SPENT
        return frame


class Lg01(ARCBaseGame):
    def __init__(self) -> None:
        self._pips = ClickPips()
        levels = [build_level(spec) for spec in LEVEL_SPECS]
        camera = Camera(background=C_BACK, letter_box=C_BACK, interfaces=[self._pips])
        super().__init__(game_id="lg01", levels=levels, camera=camera, available_actions=[6])

    def on_set_level(self, level: Level) -> None:
        self._lit: list[list[bool]] = [list(row) for row in level.get_data("lit")]
        self._size: int = level.get_data("size")
        self._dials: list[list[int]] = [list(d) for d in level.get_data("dials")]
        self._pips.total = level.get_data("budget")
        self._pips.left = self._pips.total
        self._lamps = {
            (r, c): level.get_sprites_by_name(f"lamp_{r}_{c}")[0] for r in range(len(self._lit)) for c in range(len(self._lit[0]))
        }
        self._dial_sprites = [level.get_sprites_by_name(f"dial_{i}")[0] for i in range(len(self._dials))]
        # Animation in progress: (kind, index, phase)
        self._anim: tuple[str, tuple[int, int], int] | None = None

    def _solved(self) -> bool:
        return all(all(row) for row in self._lit) and all(start == target for start, target in self._dials)

    def _settle(self) -> None:
        self._anim = None
        if self._solved():
            self.next_level()
        elif self._pips.left <= 0:
            self.lose()
        self.complete_action()

    def _show_lamp(self, r: int, c: int) -> None:
        self._lamps[(r, c)].pixels = lamp_pixels(self._size, self._lit[r][c])

    def _animate(self) -> None:
        assert self._anim is not None
        kind, (a, b), phase = self._anim
        if kind == "lamp":
            if phase == 1:
                cells = toggled(self._lit, a, b)
                for r, c in cells:
                    self._lit[r][c] = not self._lit[r][c]
                self._show_lamp(a, b)
                for r, c in cells[1:]:
                    self._lamps[(r, c)].pixels = flash_pixels(self._size)
                self._anim = (kind, (a, b), 2)
                return
            for r, c in toggled(self._lit, a, b):
                self._show_lamp(r, c)
        else:
            dial = self._dials[a]
            dial[0] = (dial[0] + 1) % len(DIAL_COLOURS)
            self._dial_sprites[a].pixels = dial_pixels(self._size, dial[0])
        self._settle()

    def step(self) -> None:
        if self._anim is not None:
            self._animate()
            return
        if self.action.id != GameAction.ACTION6:
            # RESET and unavailable actions change nothing.
            self.complete_action()
            return

        self._pips.left -= 1
        x = int(self.action.data.get("x", 0))
        y = int(self.action.data.get("y", 0))
        cell = self.camera.display_to_grid(x, y)
        target = None
        if cell is not None:
            target = self.current_level.get_sprite_at(cell[0], cell[1], tag="sys_click")
        if target is None:
            self._settle()
            return
        kind, *idx = target.name.split("_")
        target.pixels = flash_pixels(self._size)
        if kind == "lamp":
            self._anim = ("lamp", (int(idx[0]), int(idx[1])), 1)
        else:
            self._anim = ("dial", (int(idx[0]), 0), 1)
