"""OpenMIL: the Open Migrant Integration Lab platform."""

__version__ = "0.1.0"
