"""The words fitdoctor reads in Keras runs, written once: losses, activations, layers, metrics.

Every module that asks "is this a regression loss", "what is this loss called", "is this
layer a hidden layer", "is this metric an accuracy" reads the answer here, so the facts
the callback records, the model-file reader, the rules that judge them and the readers
cannot drift apart. Pure data and string functions: no keras, no numpy.
"""

from __future__ import annotations

#: Fewer epochs than this and no curve can be judged (FD303's default ``min_epochs``): a
#: report's verdict and a sweep's row then say the run is too short to judge.
CURVE_MIN_EPOCHS = 3

# ------------------------------------------------------------------ losses
#: Names a history logs the learning rate under (Keras's callbacks and schedules).
LEARNING_RATE_KEYS = ("learning_rate", "lr")

#: Losses that make a task binary (one unit) or multi-label (several units).
BINARY_LOSSES = frozenset(
    {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}
)
#: Losses that make a task multi-class (one-hot or sparse labels).
CATEGORICAL_LOSSES = frozenset(
    {
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
        "kl_divergence",
    }
)
#: Losses over one probability distribution across the classes (softmax outputs).
SOFTMAX_LOSSES = frozenset(
    {
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
    }
)
#: Losses of a regression.
REGRESSION_LOSSES = frozenset(
    {
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "huber",
        "log_cosh",
        "poisson",
        "cosine_similarity",
    }
)
#: Losses that take probabilities (or logits with ``from_logits=True``).
PROBABILITY_LOSSES = frozenset(
    {
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
    }
)
#: Short, legacy and spelled-out loss names Keras accepts, and the canonical name of each.
LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "logcosh": "log_cosh",
    "huber_loss": "huber",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "bce": "binary_crossentropy",
    "cce": "categorical_crossentropy",
    "binary_cross_entropy": "binary_crossentropy",
    "categorical_cross_entropy": "categorical_crossentropy",
    "sparse_categorical_cross_entropy": "sparse_categorical_crossentropy",
}
#: Keras loss class names, for recommendations (``keras.losses.<Class>(from_logits=True)``).
LOSS_CLASSES = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy": "CategoricalFocalCrossentropy",
}

# ------------------------------------------------------------------ activations
#: Layer classes that are an activation, and the activation's name.
ACTIVATION_LAYERS = {
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ELU": "elu",
    "Softmax": "softmax",
}
#: Activations that make a layer's output a probability.
PROBABILITY_ACTIVATIONS = frozenset({"softmax", "sigmoid"})

# ------------------------------------------------------------------ layers
#: Layers with weights whose output is an affine map of their input (before activation):
#: the layers that count as hidden layers before the output one, and as the output layer.
WEIGHT_LAYERS = frozenset({
    "Dense", "EinsumDense",
    "Conv1D", "Conv2D", "Conv3D",
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
})
#: Layers that are linear (affine at inference) and so add no non-linearity.
LINEAR_PASS_THROUGH = frozenset({
    "InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "GaussianNoise", "GaussianDropout", "AlphaDropout", "BatchNormalization",
    "Flatten", "Reshape", "Permute", "RepeatVector", "Identity",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "Cropping1D", "Cropping2D", "Cropping3D", "Rescaling", "Normalization",
})
#: Layers that scale the values they are given: a model whose first layer (after its
#: Input, a Flatten or a Reshape: :data:`SHAPE_ONLY_LAYERS`) is one standardizes its own
#: inputs, whatever scale they arrive in.
INPUT_SCALING_LAYERS = frozenset({
    "Normalization", "Rescaling", "BatchNormalization", "LayerNormalization",
})
#: Layers that read their inputs as indices, tokens or categories, not as magnitudes: a
#: model starting with one is given ids (0..vocabulary size), which no scaling applies to.
INPUT_ENCODING_LAYERS = frozenset({
    "Embedding", "TextVectorization", "StringLookup", "IntegerLookup", "CategoryEncoding",
    "Hashing", "Discretization",
})
#: Layers that move values around without changing them (skipped to find a model's
#: first layer that acts on its inputs).
SHAPE_ONLY_LAYERS = frozenset({"InputLayer", "Flatten", "Reshape", "Permute"})
#: Layers that join branches: a model holding one is a graph, whose flattened layer list
#: is not the order the data flows in.
MERGE_LAYERS = frozenset({
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
})
#: Dropout-like layers whose ``dropout`` is a rate of dropped inputs.
DROPOUT_LAYERS = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
    "GaussianDropout",
})
#: Layers that inject noise only while training (dropout, Gaussian noise, random
#: augmentation): Keras measures the training loss with that noise on, the validation
#: loss without it. A layer's own ``dropout`` (an RNN's) does the same.
TRAINING_NOISE_LAYERS = DROPOUT_LAYERS | frozenset({
    "GaussianNoise", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
    "RandomContrast", "RandomBrightness", "RandomCrop", "RandomHeight", "RandomWidth",
    # Keras 3's image augmentation layers (keras.layers, 3.8 and later)
    "RandAugment", "AugMix", "CutMix", "MixUp", "Solarization", "RandomColorDegeneration",
    "RandomColorJitter", "RandomElasticTransform", "RandomErasing", "RandomGaussianBlur",
    "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective",
    "RandomPosterization", "RandomSaturation", "RandomSharpness", "RandomShear",
})
#: Built-in Keras layers whose whole behaviour their recorded facts show (no sublayers a
#: run file does not list, nothing that acts while training only beyond the dropout
#: and noise it records): a model of these alone, with none of those, is "plain". A
#: custom layer (a transformer block holding Dense and Dropout) or a Lambda can hide
#: anything, so a model holding one is not.
PLAIN_LAYERS = WEIGHT_LAYERS | LINEAR_PASS_THROUGH | MERGE_LAYERS | frozenset(
    ACTIVATION_LAYERS) | frozenset({
    "Activation", "Embedding", "LayerNormalization", "GroupNormalization",
    "UnitNormalization", "LSTM", "GRU", "SimpleRNN", "Bidirectional",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
})
#: Fully connected layers: the first-model advice (how many hidden layers, how wide)
#: counts these alone.
DENSE_LAYERS = frozenset({"Dense"})

# ------------------------------------------------------------------ metrics
#: Keras metric names that measure accuracy (exact class matches).
ACCURACY_METRICS = frozenset({
    "accuracy", "acc", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
})


def is_accuracy(name: str) -> bool:
    """Whether a metric name (without its ``val_`` prefix) is an accuracy.

    ``accuracy`` and Keras 2's ``acc``, and any ``*_accuracy``/``*_acc``
    (``binary_accuracy``, ``out1_accuracy``).
    """
    return name in ("accuracy", "acc") or name.endswith(("_accuracy", "_acc"))


def is_score_monitor(key: str) -> bool:
    """Whether a logged key can monitor the best epoch in place of ``val_loss``.

    A validation accuracy-like score (any ``val_`` key naming ``acc``) or AUC: higher is
    better. The report's best epoch and the callback's best per-class epoch both use it.
    """
    return key.startswith("val_") and ("acc" in key or key.endswith("auc"))


# ------------------------------------------------------------------ names
def snake_case(name: str) -> str:
    """``CamelCase`` as ``camel_case`` (``"BinaryCrossentropy"`` → ``"binary_crossentropy"``).

    An acronym stays one word: ``"MSLE"`` → ``"msle"``, ``"AUCMetric"`` → ``"auc_metric"``.
    """
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or
                                   (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def canonical_loss(name: str) -> str:
    """Canonical snake-case name of a loss (``"mse"`` → ``"mean_squared_error"``).

    A module prefix is dropped (``"keras.losses.MeanSquaredError"``), and so are dashes
    (``"binary-crossentropy"``).
    """
    low = name.strip().rsplit(".", 1)[-1].replace("-", "_")
    low = snake_case(low) if any(c.isupper() for c in low) else low.lower()
    return LOSS_ALIASES.get(low, low)


def canonical_activation(activation: str) -> str:
    """Canonical activation name, lower snake case.

    ``"LeakyReLU"`` → ``"leaky_relu"``, ``"ReLU"`` → ``"relu"``, ``"Linear"`` → ``"linear"``.
    """
    text = activation.strip().rsplit(".", 1)[-1]
    special = {"relu": "relu", "leakyrelu": "leaky_relu", "prelu": "prelu", "elu": "elu"}
    compact = text.lower().replace("_", "")
    if compact in special:
        return special[compact]
    return snake_case(text).replace("-", "_")


def canonical_metric(metric: str) -> str:
    """Canonical metric name: ``"Accuracy"`` → ``"accuracy"``, ``"val_acc"`` → ``"acc"``."""
    key = snake_case(metric.strip().rsplit(".", 1)[-1]).replace("-", "_")
    return key[4:] if key.startswith("val_") else key


#: Frameworks whose runs Keras's FitDoctor() callback cannot record (``Run.framework``).
FOREIGN_FRAMEWORKS = ("transformers", "lightning", "pytorch")
