"""zhiben (治本): the 安全生产治本攻坚三年行动 data warehouse of 山亭区安全生产委员会."""

__version__ = "0.1.0"
