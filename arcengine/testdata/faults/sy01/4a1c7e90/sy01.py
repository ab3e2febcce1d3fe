"""sy01: this file does not compile (fault fixture for arcgym's worker tests)."""

from arcengine import ARCBaseGame, Level, Sprite


class Sy01(ARCBaseGame):
    def __init__(self) -> None:
        super().__init__(game_id="sy01", levels=[Level(sprites=[Sprite([[1]])], grid_size=(8, 8))], available_actions=[1, 2, 3, 4])

    def step(self) -> None
        self.complete_action()
