"""landrenewal — 低效工业用地整治全链管理平台."""

__version__ = "0.1.0"
