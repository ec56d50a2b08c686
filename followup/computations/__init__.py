"""The registered indicator computations; importing this package registers them all."""

from . import activities, associations, welfaretech  # noqa: F401
