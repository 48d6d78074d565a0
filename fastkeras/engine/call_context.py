"""What the outermost call is doing: training or not, and the losses layers add meanwhile."""


class CallContext:
    __slots__ = ("training", "losses", "depth")

    def __init__(self):
        self.training = None  # None: the learning phase decides
        self.losses = None    # a list while a model collects add_loss() calls
        self.depth = 0


CONTEXT = CallContext()
