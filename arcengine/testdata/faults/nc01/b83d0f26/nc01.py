"""nc01: loads fine but defines no class named Nc01 (the name the toolkit
derives from the game id when metadata.json has no class_name).

Fault fixture for arcgym's arcengine worker tests.
"""

from __future__ import annotations

from arcengine import ARCBaseGame, Camera, Level, Sprite


class NotTheGame(ARCBaseGame):
    def __init__(self) -> None:
        level = Level(sprites=[Sprite([[9]], name="player", x=1, y=1)], grid_size=(8, 8), name="room")
        super().__init__(game_id="nc01", levels=[level], camera=Camera(background=0), available_actions=[1, 2, 3, 4])

    def step(self) -> None:
        self.complete_action()
