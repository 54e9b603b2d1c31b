"""Playground: train a small numpy MLP on the 8×8 UCI digits with a learning rate curve from the engine.

``playground.data`` loads the bundled dataset (``digits.npz``, CC BY 4.0, see ``DATA_LICENSE.md``);
``playground.mlp`` trains a one-hidden-layer MLP with SGD (momentum) or Adam, one lr value per optimizer step.
numpy only.
"""
