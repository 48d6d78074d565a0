"""Keras 3's MaxNumBoundingBoxes: gives every image exactly ``max_number`` bounding boxes, for detection
pipelines that batch images with different numbers of boxes."""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer

__all__ = ["MaxNumBoundingBoxes"]


class MaxNumBoundingBoxes(Layer):
    """Cuts ``bounding_boxes['boxes']`` (``(batch, n, 4)``, or ``(n, 4)`` beside a single image) and
    ``bounding_boxes['labels']`` (``(batch, n)`` or ``(n,)``) to their first ``max_number`` boxes, or pads them
    to ``max_number`` with ``fill_value``. Takes ``{'images': ..., 'bounding_boxes': {...}}`` (plus optional
    ``labels`` and ``segmentation_masks``, passed through) and returns the same structure; plain images pass
    through. As in Keras 3, an input with bounding boxes needs ``bounding_box_format`` (any of Keras' names; the
    boxes are not converted), and ``training`` changes nothing. Boxes are dense arrays: every image of a batch
    has the same number of them."""

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = K.normalize_data_format(data_format)
        if self.max_number < 0:
            raise ValueError(f'Layer "{self.name}" (MaxNumBoundingBoxes): `max_number` should be a non-negative '
                             f"integer. Received: max_number={max_number}")

    def _fit_to_max(self, values, box_axis):
        count = values.shape[box_axis]
        if count >= self.max_number:
            return values[:, :self.max_number] if box_axis == 1 else values[:self.max_number]
        pad_shape = list(values.shape)
        pad_shape[box_axis] = self.max_number - count
        padding = K.cast(K.constant(self.fill_value, shape=pad_shape), K.dtype(values))
        return K.concatenate([values, padding], axis=box_axis)

    def call(self, inputs, training=None):
        if not isinstance(inputs, dict):
            return inputs
        unknown = sorted(set(inputs) - {"images", "bounding_boxes", "labels", "segmentation_masks"})
        if "images" not in inputs or unknown:
            raise ValueError(f'Layer "{self.name}" (MaxNumBoundingBoxes) takes images, or a dict with the key '
                             "'images' and optionally 'bounding_boxes', 'labels', 'segmentation_masks'; received a "
                             f"dict with keys {sorted(inputs)}.")
        if "bounding_boxes" not in inputs:
            return dict(inputs)
        if not self.bounding_box_format:
            raise ValueError(f'Layer "{self.name}" (MaxNumBoundingBoxes) received bounding boxes but has no '
                             "`bounding_box_format`: pass one, e.g. `bounding_box_format='xyxy'`.")
        boxes_in = inputs["bounding_boxes"]
        if not isinstance(boxes_in, dict) or set(boxes_in) != {"boxes", "labels"}:
            keys = sorted(boxes_in) if isinstance(boxes_in, dict) else type(boxes_in).__name__
            raise ValueError(f'Layer "{self.name}" (MaxNumBoundingBoxes): `bounding_boxes` should be a dict with '
                             f"the keys 'boxes' and 'labels'; received {keys}.")
        boxes, labels = K.convert_to_tensor(boxes_in["boxes"]), K.convert_to_tensor(boxes_in["labels"])
        batched = len(inputs["images"].shape) == 4
        if boxes.ndim != (3 if batched else 2) or boxes.shape[-1] != 4 or labels.ndim != boxes.ndim - 1:
            raise ValueError(f'Layer "{self.name}" (MaxNumBoundingBoxes) expects boxes of shape (batch, n, 4) and '
                             "labels of shape (batch, n) (without the batch axis beside a single image); received "
                             f"boxes of shape {tuple(boxes.shape)} and labels of shape {tuple(labels.shape)}.")
        box_axis = 1 if batched else 0
        outputs = dict(inputs)
        outputs["bounding_boxes"] = {"boxes": self._fit_to_max(boxes, box_axis),
                                     "labels": self._fit_to_max(labels, box_axis)}
        return outputs

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            shapes = dict(input_shape)
            boxes, labels = input_shape["bounding_boxes"]["boxes"], input_shape["bounding_boxes"]["labels"]
            shapes["bounding_boxes"] = {"boxes": (*tuple(boxes)[:-2], self.max_number, 4),
                                        "labels": (*tuple(labels)[:-1], self.max_number)}
            return shapes
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"max_number": self.max_number, "fill_value": self.fill_value, "data_format": self.data_format})
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
