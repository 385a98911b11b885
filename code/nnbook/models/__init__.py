"""PyTorch definitions of the convolutional networks of chapter 5.

One module per architecture: :mod:`~nnbook.models.lenet`, :mod:`~nnbook.models.alexnet`,
:mod:`~nnbook.models.vgg`, :mod:`~nnbook.models.inception`, :mod:`~nnbook.models.resnet`,
:mod:`~nnbook.models.locally_connected`, :mod:`~nnbook.models.textcnn`; parameter and
multiply-accumulate counts in :mod:`~nnbook.models.summary`.

Book chapter: ``book/ch5-cnn/``.
"""
from nnbook.models.alexnet import AlexNet
from nnbook.models.inception import GoogLeNet, InceptionModule
from nnbook.models.lenet import LeNet5
from nnbook.models.locally_connected import LocallyConnected2d
from nnbook.models.resnet import ResNet, block_mlp, preact_resnet18, resnet18, resnet34, resnet50
from nnbook.models.summary import Profile, count_parameters, profile
from nnbook.models.textcnn import TextCNN, top_ngrams
from nnbook.models.vgg import VGG, vgg16

__all__ = ["AlexNet", "GoogLeNet", "InceptionModule", "LeNet5", "LocallyConnected2d", "Profile", "ResNet", "TextCNN",
           "VGG", "block_mlp", "count_parameters", "preact_resnet18", "profile", "resnet18", "resnet34", "resnet50",
           "top_ngrams", "vgg16"]
