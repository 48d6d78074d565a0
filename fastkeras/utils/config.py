"""Keras 3's ``keras.utils.Config``: named values read and written as attributes or items, frozen on demand."""
import difflib
import json

# The instance's own bookkeeping; every other attribute name is an entry of the config.
_OWN_ATTRIBUTES = ("_entries", "_frozen")


class Config:
    """A dict-like container of named settings: ``config.seed = 1`` and ``config["seed"] = 1`` are the same entry.

    ``freeze()`` makes every later change a ValueError (until ``unfreeze()``); ``to_json()`` serializes it and
    ``as_dict()`` gives a plain copy. Iterating gives the keys in sorted order; ``keys()``/``items()`` keep the
    order in which entries were added. Names of the class' own methods (``keys``, ``get`` ...) stay methods as
    attributes; reach such entries with ``config["keys"]``.
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_entries", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self):
        """True once ``freeze()`` was called (and ``unfreeze()`` not since)."""
        return self._frozen

    def freeze(self):
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    # ---- attribute access -------------------------------------------------------------

    def __getattr__(self, name):
        # Only reached for names that are not real attributes: those are the entries.
        if name in _OWN_ATTRIBUTES:  # during unpickling, before __init__ ran
            raise AttributeError(name)
        entries = self._entries
        if name in entries:
            return entries[name]
        message = f"Unknown attribute: '{name}'."
        close = difflib.get_close_matches(name, [k for k in entries if isinstance(k, str)], n=1, cutoff=0.7)
        if close:
            message += f" Did you mean '{close[0]}'?"
        raise AttributeError(message)

    def __setattr__(self, name, value):
        if hasattr(type(self), name):  # a method or property of the class: not an entry
            object.__setattr__(self, name, value)
            return
        self._check_mutable()
        self._entries[name] = value

    def __delattr__(self, name):
        if name not in self._entries:
            raise AttributeError(f"Unknown attribute: '{name}'.")
        self._check_mutable()
        del self._entries[name]

    def __getstate__(self):
        return {"entries": self._entries, "frozen": self._frozen}

    def __setstate__(self, state):
        object.__setattr__(self, "_entries", state["entries"])
        object.__setattr__(self, "_frozen", state["frozen"])

    # ---- dict-like access -------------------------------------------------------------

    def __getitem__(self, key):
        return self._entries[key]

    def __setitem__(self, key, value):
        self._check_mutable()
        self._entries[key] = value

    def __delitem__(self, key):
        self._check_mutable()
        del self._entries[key]

    def __contains__(self, key):
        return key in self._entries

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(sorted(self._entries))

    def keys(self):
        return self._entries.keys()

    def values(self):
        return self._entries.values()

    def items(self):
        return self._entries.items()

    def get(self, key, default=None):
        return self._entries.get(key, default)

    def pop(self, *args):
        self._check_mutable()
        return self._entries.pop(*args)

    def update(self, *args, **kwargs):
        self._check_mutable()
        self._entries.update(*args, **kwargs)

    def as_dict(self):
        """A shallow copy of the entries as a plain dict."""
        return dict(self._entries)

    def to_json(self):
        return json.dumps(self._entries)

    def __repr__(self):
        return f"<Config {self._entries}>"
