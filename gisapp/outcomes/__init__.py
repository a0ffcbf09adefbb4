"""Co-evaluate (效果共评) and co-share (成果共享): the public outcomes dashboard.

- ``models``   project photos before/after; the per-area monthly facts the triggers keep
- ``period``   the month range and level chosen on the page or in the API
- ``queries``  the figures per area, per month and the completed projects (no spatial joins)
- ``views``    ``/outcomes`` (page), ``/outcomes.csv``, project photo upload and files
- ``mapping``  the choropleth on the shared Folium map; ``charts`` the inline SVG charts
"""
