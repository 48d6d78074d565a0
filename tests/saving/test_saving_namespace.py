"""keras.saving holds object registration and (de)serialization too (tf-keras 2.13+ moved them there)."""
import fastkeras as keras
from fastkeras import layers


def test_registration_under_keras_saving_round_trips_a_custom_layer():
    @keras.saving.register_keras_serializable(package="Demo")
    class Doubler(layers.Layer):
        def call(self, x):
            return 2.0 * x

    assert keras.saving.get_registered_name(Doubler) == "Demo>Doubler"
    assert keras.saving.get_registered_object("Demo>Doubler") is Doubler
    config = keras.saving.serialize_keras_object(Doubler(name="twice"))
    again = keras.saving.deserialize_keras_object(config)
    assert isinstance(again, Doubler) and again.name == "twice"
    with keras.saving.custom_object_scope({"Tripler": Doubler}):
        scoped = keras.saving.deserialize_keras_object({"class_name": "Tripler", "config": {"name": "t"}})
    assert isinstance(scoped, Doubler)
    assert keras.saving.register_keras_serializable is keras.utils.register_keras_serializable
