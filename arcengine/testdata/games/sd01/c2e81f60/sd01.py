"""Seed Dash (sd01): a small seeded maze written for the ARC-AGI-3 engine.

Test data for arcgym. The constructor takes `seed` (the toolkit passes it only
to constructors that accept it); walls, start and goal of every level come
from random.Random(seed), so different seeds give different boards and the
same seed always gives the same board.

* ACTION1-4 walk one cell up/down/left/right.
* The goal (green) starts under a lock (orange). ACTION6 on the lock, while
  the walker stands next to it, opens the lock; a click anywhere else does
  nothing. Walking onto the open goal completes the level; the last level
  wins.
* Every available action spends one step of the level's budget; an empty
  budget is GAME_OVER.

Deliberately light: four sprites per level, no engine collision checks.
"""

from __future__ import annotations

import random
from collections import deque

from arcengine import ARCBaseGame, Camera, GameAction, InteractionMode, Level, Sprite

SIZES = (8, 10, 12)
WALL_CHANCE = 0.3
SLACK = 10

C_FLOOR = 0
C_WALL = 3
C_BORDER = 4
C_PLAYER = 9
C_GOAL = 14
C_LOCK = 12

MOVES: dict[GameAction, tuple[int, int]] = {
    GameAction.ACTION1: (0, -1),
    GameAction.ACTION2: (0, 1),
    GameAction.ACTION3: (-1, 0),
    GameAction.ACTION4: (1, 0),
}
AVAILABLE = [1, 2, 3, 4, 6]


def _distances(walls: list[list[bool]], start: tuple[int, int]) -> dict[tuple[int, int], int]:
    dist = {start: 0}
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        for dx, dy in ((0, -1), (0, 1), (-1, 0), (1, 0)):
            nxt = (x + dx, y + dy)
            if not walls[nxt[1]][nxt[0]] and nxt not in dist:
                dist[nxt] = dist[(x, y)] + 1
                queue.append(nxt)
    return dist


def make_level(rng: random.Random, size: int, index: int) -> Level:
    while True:
        walls = [[x in (0, size - 1) or y in (0, size - 1) or rng.random() < WALL_CHANCE for x in range(size)] for y in range(size)]
        floor = [(x, y) for y in range(size) for x in range(size) if not walls[y][x]]
        if not floor:
            continue
        start = rng.choice(floor)
        dist = _distances(walls, start)
        if len(dist) >= size:
            break
    far = max(dist.values())
    goal = next(cell for cell in dist if dist[cell] == far)

    pixels = [[(C_BORDER if x in (0, size - 1) or y in (0, size - 1) else C_WALL) if walls[y][x] else -1 for x in range(size)] for y in range(size)]
    sprites = [
        Sprite(pixels, name="walls", layer=0, tags=["walls"]),
        Sprite([[C_GOAL]], name="goal", x=goal[0], y=goal[1], layer=1, interaction=InteractionMode.INTANGIBLE, tags=["goal"]),
        Sprite([[C_LOCK]], name="lock", x=goal[0], y=goal[1], layer=2, tags=["sys_click", "lock"]),
        Sprite([[C_PLAYER]], name="player", x=start[0], y=start[1], layer=3, tags=["player"]),
    ]
    data = {"walls": walls, "goal": list(goal), "budget": far + 1 + SLACK}
    return Level(sprites=sprites, grid_size=(size, size), data=data, name=f"dash-{index}")


class Sd01(ARCBaseGame):
    def __init__(self, seed: int = 0) -> None:
        rng = random.Random(seed)
        levels = [make_level(rng, size, i) for i, size in enumerate(SIZES)]
        camera = Camera(background=C_FLOOR, letter_box=C_BORDER)
        super().__init__(game_id="sd01", levels=levels, camera=camera, available_actions=list(AVAILABLE), seed=seed)

    def on_set_level(self, level: Level) -> None:
        self._walls: list[list[bool]] = level.get_data("walls")
        gx, gy = level.get_data("goal")
        self._goal = (int(gx), int(gy))
        self._left: int = level.get_data("budget")
        self._player = level.get_sprites_by_name("player")[0]
        self._lock = level.get_sprites_by_name("lock")[0]

    def _locked(self) -> bool:
        return self._lock.interaction != InteractionMode.REMOVED

    def step(self) -> None:
        action = self.action.id
        if action.value not in AVAILABLE:
            self.complete_action()
            return
        self._left -= 1
        px, py = self._player.x, self._player.y
        if action in MOVES:
            dx, dy = MOVES[action]
            nx, ny = px + dx, py + dy
            blocked = self._walls[ny][nx] or ((nx, ny) == self._goal and self._locked())
            if not blocked:
                self._player.set_position(nx, ny)
        else:
            cell = self.camera.display_to_grid(int(self.action.data.get("x", 0)), int(self.action.data.get("y", 0)))
            if cell == self._goal and self._locked() and abs(px - cell[0]) + abs(py - cell[1]) == 1:
                self._lock.set_interaction(InteractionMode.REMOVED)
        if (self._player.x, self._player.y) == self._goal:
            self.next_level()
        elif self._left <= 0:
            self.lose()
        self.complete_action()
