"""The lecture notes' tables, row by row (seed 000: VGG16; seed 003: AlexNet without padding)."""

from __future__ import annotations

from cnncalc import analyze, load
from cnncalc.spec import Spec, with_params

# Seed 000, "INPUT: [224x224x3] memory: 224*224*3=150K params: 0 (not counting biases)" and on.
VGG16_TABLE = [
    ("224x224x3", 224 * 224 * 3, 0),
    ("224x224x64", 224 * 224 * 64, 1_728),
    ("224x224x64", 224 * 224 * 64, 36_864),
    ("112x112x64", 112 * 112 * 64, 0),
    ("112x112x128", 112 * 112 * 128, 73_728),
    ("112x112x128", 112 * 112 * 128, 147_456),
    ("56x56x128", 56 * 56 * 128, 0),
    ("56x56x256", 56 * 56 * 256, 294_912),
    ("56x56x256", 56 * 56 * 256, 589_824),
    ("56x56x256", 56 * 56 * 256, 589_824),
    ("28x28x256", 28 * 28 * 256, 0),
    ("28x28x512", 28 * 28 * 512, 1_179_648),
    ("28x28x512", 28 * 28 * 512, 2_359_296),
    ("28x28x512", 28 * 28 * 512, 2_359_296),
    ("14x14x512", 14 * 14 * 512, 0),
    ("14x14x512", 14 * 14 * 512, 2_359_296),
    ("14x14x512", 14 * 14 * 512, 2_359_296),
    ("14x14x512", 14 * 14 * 512, 2_359_296),
    ("7x7x512", 7 * 7 * 512, 0),
    ("1x1x4096", 4096, 102_760_448),
    ("1x1x4096", 4096, 16_777_216),
    ("1x1x1000", 1000, 4_096_000),
]


#: The paper's VGG-16, as the lecture tabulates it: without torchvision's adaptive pool.
def vgg16_paper() -> Spec:
    return with_params(load("vgg16"), {"adaptive": "0"})


def test_vgg16_table_row_by_row() -> None:
    report = analyze(vgg16_paper())
    rows = [(str(report.input), report.input.numel, 0)]
    rows += [(str(r.output), r.activations, r.cost.weights) for r in report.layers if r.activations]
    assert rows == VGG16_TABLE


def test_vgg16_totals_and_the_slides_24m() -> None:
    t = analyze(vgg16_paper()).totals
    assert t.params == 138_357_544  # the slide's "138M"
    # The slide says "TOTAL memory: 24M * 4 bytes ~= 96MB"; its own rows add up to 15.2M (61 MB).
    assert t.activations == sum(memory for _, memory, _ in VGG16_TABLE) == 15_237_608
    assert t.activation_bytes == 60_950_432


def test_alexnet_without_padding_shrinks_as_the_slides_say() -> None:
    report = analyze(load("alexnet_nopad"))
    sides = [r.output.h for r in report.layers if r.node.layer.kind in ("conv", "maxpool")]
    assert sides == [55, 27, 23, 11, 9, 7, 5, 2]
    fc1 = next(r for r in report.layers if r.node.layer.kind == "fc")
    assert fc1.cost.weights == 2 * 2 * 256 * 4096


def test_alexnet_two_towers_per_layer() -> None:
    report = analyze(load("alexnet"))
    params = [
        r.cost.weights + r.cost.biases for r in report.layers if r.node.layer.kind in ("conv", "fc")
    ]
    assert params == [34_944, 307_456, 885_120, 663_936, 442_624, 37_752_832, 16_781_312, 4_097_000]
    assert report.totals.params == 60_965_224


def test_zfnet_lecture_variant_differs_from_alexnet_as_the_slides_say() -> None:
    alex = analyze(load("alexnet_nopad"))
    assert (
        alex.layers[0].cost.weights - analyze(load("zfnet")).layers[0].cost.weights
        == (11 * 11 - 7 * 7) * 3 * 96
    )
