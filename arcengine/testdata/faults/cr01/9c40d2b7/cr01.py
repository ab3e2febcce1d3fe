"""cr01: the process exits abruptly (os._exit(3)) on ACTION1.

Fault fixture for arcgym's arcengine worker tests. Apart from the fault it is a
tiny walker: ACTION1-4 move a dot around an 8x8 room; stepping on the green
cell wins.
"""

from __future__ import annotations

import os

from arcengine import ARCBaseGame, Camera, GameAction, Level, Sprite

MOVES: dict[GameAction, tuple[int, int]] = {
    GameAction.ACTION1: (0, -1),
    GameAction.ACTION2: (0, 1),
    GameAction.ACTION3: (-1, 0),
    GameAction.ACTION4: (1, 0),
}


def room() -> Level:
    border = [[3 if x in (0, 7) or y in (0, 7) else -1 for x in range(8)] for y in range(8)]
    return Level(
        sprites=[
            Sprite(border, name="border", layer=0),
            Sprite([[14]], name="goal", x=6, y=6, layer=1),
            Sprite([[9]], name="player", x=1, y=1, layer=2),
        ],
        grid_size=(8, 8),
        name="room",
    )


class Cr01(ARCBaseGame):
    def __init__(self) -> None:
        super().__init__(game_id="cr01", levels=[room()], camera=Camera(background=0, letter_box=5), available_actions=[1, 2, 3, 4])

    def step(self) -> None:
        action = self.action.id
        if action == GameAction.ACTION1:
            os._exit(3)
        if action in MOVES:
            player = self.current_level.get_sprites_by_name("player")[0]
            dx, dy = MOVES[action]
            x = min(6, max(1, player.x + dx))
            y = min(6, max(1, player.y + dy))
            player.set_position(x, y)
            if (x, y) == (6, 6):
                self.next_level()
        self.complete_action()
