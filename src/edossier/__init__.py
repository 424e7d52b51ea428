"""edossier: build, sign, append and validate electronic criminal case files (电子卷宗)."""

__version__ = "0.2.0"
