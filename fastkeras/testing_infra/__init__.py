"""Helpers for testing Keras layers and models, under tf-keras' module path (``keras.testing_infra``)."""
