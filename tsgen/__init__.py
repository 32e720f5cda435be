__version__ = "0.1.0"


def __getattr__(name):
    "`tsgen.evaluate`: the one-call evaluation report (`tsgen.report.evaluate`), imported when first used."
    if name == "evaluate":
        from tsgen.report import evaluate
        return evaluate
    raise AttributeError(f"module 'tsgen' has no attribute {name!r}")
