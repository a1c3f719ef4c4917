"""Pictures and widgets for seeing automatic differentiation happen.

``adkernel.widgets.graph`` draws a tape's computation graph as plain SVG (numpy and the
standard library only, no Graphviz). Modules that build interactive views on top of it
import ipywidgets or matplotlib themselves, so importing this package stays light.
"""
