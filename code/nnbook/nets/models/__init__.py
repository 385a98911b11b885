"""PyTorch definitions of the convolutional networks of chapter 5.

One module per architecture: :mod:`~nnbook.nets.models.lenet`, :mod:`~nnbook.nets.models.alexnet`,
:mod:`~nnbook.nets.models.vgg`, :mod:`~nnbook.nets.models.inception`, :mod:`~nnbook.nets.models.resnet`,
:mod:`~nnbook.nets.models.locally_connected`, :mod:`~nnbook.nets.models.textcnn`; parameter and
multiply-accumulate counts in :mod:`~nnbook.nets.models.summary`.

Book chapter: ``book/ch5-cnn/``.
"""
from nnbook.nets.models.alexnet import AlexNet
from nnbook.nets.models.inception import GoogLeNet, InceptionModule
from nnbook.nets.models.lenet import LeNet5
from nnbook.nets.models.locally_connected import LocallyConnected2d
from nnbook.nets.models.resnet import ResNet, block_mlp, preact_resnet18, resnet18, resnet34, resnet50
from nnbook.nets.models.summary import Profile, count_parameters, profile
from nnbook.nets.models.textcnn import TextCNN, top_ngrams
from nnbook.nets.models.vgg import VGG, vgg16

__all__ = ["AlexNet", "GoogLeNet", "InceptionModule", "LeNet5", "LocallyConnected2d", "Profile", "ResNet", "TextCNN",
           "VGG", "block_mlp", "count_parameters", "preact_resnet18", "profile", "resnet18", "resnet34", "resnet50",
           "top_ngrams", "vgg16"]
