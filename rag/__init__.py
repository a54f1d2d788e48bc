"""jiqun (集群): read Chinese articles about industrial clusters, answer questions with citations,
extract every named cluster into validated records."""

__version__ = "0.1.0"
