"""Export MobileNetV3 to an ExecuTorch program for the demo runner."""

import torch
import torchvision.models as models
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
from executorch.exir import to_edge


def main() -> None:
    model = models.mobilenet_v3_small(weights="DEFAULT").eval()
    example_inputs = (torch.randn(1, 3, 224, 224),)
    exported = torch.export.export(model, example_inputs)

    edge = to_edge(exported)
    edge = edge.to_backend(XnnpackPartitioner())
    program = edge.to_executorch()

    with open("mobilenet_v3.pte", "wb") as file:
        file.write(program.buffer)


if __name__ == "__main__":
    main()
