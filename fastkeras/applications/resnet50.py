"""``keras.applications.resnet50``: ResNet50 and its preprocessing, as in Keras 2 (an alias of ``resnet``)."""
from fastkeras.applications.resnet import ResNet50, decode_predictions, preprocess_input  # noqa: F401
