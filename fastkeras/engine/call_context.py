"""What the outermost call is doing: training or not, and the losses layers add meanwhile."""


class CallContext:
    __slots__ = ("training", "losses", "depth", "sparse_table_grads")

    def __init__(self):
        self.training = None  # None: the learning phase decides
        self.losses = None    # a list while a model collects add_loss() calls
        self.depth = 0
        # True while fit's step computes gradients for an optimizer that updates tables row by row: Embedding
        # lookups then give row-sparse gradients (tf-keras' IndexedSlices) instead of a dense table-sized one.
        self.sparse_table_grads = False


CONTEXT = CallContext()
