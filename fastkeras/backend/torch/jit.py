"""torch.compile for the trainer's step functions (``model.compile(jit_compile=True)``).

``compile_step(method, name)`` returns a callable that runs ``method`` through torch.compile as one graph
(``fullgraph=True``): forward, loss and ``torch.autograd.grad`` traced together, so that AOTAutograd and
Inductor fuse the backward with the forward. A graph break is an error here instead of a silent split into
several graphs; the trainer catches it and goes back to eager execution with a warning that names the reason.

Each compiled step gets its own copy of the method's code object. Dynamo keeps its cache of compiled graphs
(and its recompile limit) per code object, so without the copy every model compiled in one process would
share, and soon exhaust, one cache.
"""
import types
import warnings

import torch

_DYNAMO_CONFIG = None
_STEPS_COMPILED = [0]


def _dynamo_config():
    global _DYNAMO_CONFIG
    if _DYNAMO_CONFIG is None:
        import torch._dynamo  # noqa: F401 - imported on first use: it costs a second at import time
        _DYNAMO_CONFIG = torch._dynamo.config
    return _DYNAMO_CONFIG


def jit_available():
    """None when torch.compile can run here, else the reason it cannot (as a sentence)."""
    if not hasattr(torch, "compile"):
        return "this PyTorch has no torch.compile"
    try:
        _dynamo_config()
    except Exception as e:  # noqa: BLE001 - any import failure means no compiler
        return f"torch._dynamo cannot be imported ({type(e).__name__}: {e})"
    return None


def compile_step(method, name):
    """``method`` (a bound method) compiled as one graph; call it like the method.

    Tracing happens on the first call and again whenever a guard fails (new input shapes or dtypes, new
    parameters): those calls take seconds, the others run the compiled graph.
    """
    func = method.__func__
    # A name no other step in this process has: Dynamo also remembers shapes per (file, line, name), and two
    # models of one name (each `Model()` is "model" after clear_session) would otherwise make the second one's
    # shapes "dynamic" and compile it twice.
    _STEPS_COMPILED[0] += 1
    code = func.__code__.replace(co_name=f"{name}_{_STEPS_COMPILED[0]}")
    private = types.FunctionType(code, func.__globals__, name, func.__defaults__, func.__closure__)
    compiled = torch.compile(types.MethodType(private, method.__self__), fullgraph=True)
    config = _dynamo_config()

    first = [True]

    def run(*args):
        # torch.autograd.grad inside the step is traced only with this switch; set it just around our calls
        # so that the user's own torch.compile code keeps PyTorch's default.
        previous = config.trace_autograd_ops
        config.trace_autograd_ops = True
        try:
            if first[0]:
                first[0] = False
                with warnings.catch_warnings():  # the compiler's own deprecation notices are not the user's
                    warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.")
                    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.")
                    warnings.filterwarnings("ignore", message=r".*torch\.jit\.script")
                    return compiled(*args)
            return compiled(*args)
        finally:
            config.trace_autograd_ops = previous
    run.code = code  # the private code object Dynamo keys this step's cache on
    return run


def compile_error_reason(error):
    """A one-line reason from a torch.compile failure (Dynamo's messages run to dozens of lines)."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    for line in text.splitlines():  # Dynamo puts the useful part after "Explanation:"
        if line.strip().startswith("Explanation:"):
            first = f"{first} ({line.strip()[len('Explanation:'):].strip()})"
            break
    if len(first) > 400:
        first = first[:397] + "..."
    return f"{type(error).__name__}: {first}"


__all__ = ["compile_error_reason", "compile_step", "jit_available"]
