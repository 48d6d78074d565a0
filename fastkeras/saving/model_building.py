"""Building a model from a file's config, the one step every loader shares.

The config is scanned first (``safety.scan_config``), then built with an
allocation budget equal to the weights the file stores, and whatever goes
wrong inside the layers' constructors comes out as one ``FileFormatError``
naming the file, so that no file can make loading fail with an arbitrary
exception.
"""
from fastkeras.saving import safety
from fastkeras.saving.errors import FileFormatError, SavingError, UnsafeFileError, in_file

# Weights a config may create beyond what the file stores (tiny layers whose state is not saved).
_BUDGET_SLACK = 1 << 16


def build_model(config, custom_objects, label, stored_elements=None, build_config=None):
    """A model (fresh weights) from ``{'class_name', 'config', ...}``, then built from ``build_config`` (a
    ``.keras`` file's, for a subclassed model) under the same allocation budget."""
    from fastkeras.saving.model_config import model_from_config
    if not isinstance(config, dict):
        raise in_file(FileFormatError, label, f"the model config should be a JSON object, got "
                      f"{type(config).__name__}.")
    safety.scan_config(config, label)
    budget = safety.LIMITS["max_config_elements"] if stored_elements is None else stored_elements + _BUDGET_SLACK
    # Keras 2 JSON documents carry keras_version/backend beside the model; .keras configs carry build and
    # compile configs: only the class and its config build the model.
    document = {k: config[k] for k in ("class_name", "config", "registered_name") if k in config}
    try:
        with safety.allocation_budget(budget, label):
            model = model_from_config(document, custom_objects=custom_objects)
            # Inside the budget: a subclassed model creates its weights here, in sizes the file's build_config
            # chooses (outside it, an input shape of (None, 10**12) allocated until memory ran out).
            _build_from_config(model, build_config, label)
            return model
    except SavingError as e:
        if label and label not in str(e):
            raise type(e)(f"{label}: {e}") from e
        raise
    except (MemoryError, RecursionError) as e:
        raise in_file(UnsafeFileError, label, f"building the model from its config ran out of "
                      f"{'memory' if isinstance(e, MemoryError) else 'stack'}; refused.") from None
    except Exception as e:  # noqa: BLE001 - a file's config must not surface arbitrary errors
        raise in_file(FileFormatError, label, f"the model config does not build a model: "
                      f"{type(e).__name__}: {e}") from e


def _build_from_config(model, build_config, label):
    """Builds a loaded subclassed model (or one that overrides build_from_config) from the file's build_config
    before its weights are read, as Keras 3 does: its weights exist only once it has seen an input shape."""
    from fastkeras.saving.model_config import _is_subclassed_model, _overrides
    if not build_config or model.built and not _overrides(model, "build_from_config"):
        return
    if _is_subclassed_model(model) or _overrides(model, "build_from_config"):
        safety.check_build_config(build_config, label)
        try:
            model.build_from_config(build_config)
        except SavingError:
            raise
        except Exception as e:  # noqa: BLE001 - the model's own code: say which file and what failed
            raise in_file(FileFormatError, label, f"model \"{model.name}\" could not be built from the file's "
                          f"build_config {build_config}: {type(e).__name__}: {e}") from e
