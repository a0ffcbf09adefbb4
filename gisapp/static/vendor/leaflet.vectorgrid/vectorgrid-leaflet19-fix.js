/*
 * Make Leaflet.VectorGrid 1.3.0 mouse events work with Leaflet 1.8+ (we ship 1.9.3).
 * Load this file right after Leaflet.VectorGrid.bundled.min.js.  Written for gisapp.
 *
 * What breaks
 *   Every vector tile is an L.Canvas.Tile, a small L.Canvas renderer.  In Leaflet 1.8+ the
 *   inherited L.Canvas#_initContainer binds the canvas' click, dblclick, mousedown, mouseup and
 *   contextmenu events to this._onClick, and flags the canvas with `_leaflet_disable_events`, so
 *   the map's own DOM listener ignores anything that happens on it: the renderer is now solely
 *   responsible for passing those events on.  VectorGrid's _onClick was written for Leaflet 1.0-1.7:
 *     - on a hit it calls L.DomEvent.fakeStop(e), which no longer exists, so it throws a TypeError
 *       and the feature never receives the event (no popups, no click handlers);
 *     - on a miss it does nothing, relying on the DOM event to bubble up to the map.  With the
 *       flag above the map never sees it, so map clicks, double-click zoom and context menus die
 *       wherever an interactive vector tile lies.
 *
 * What this does
 *   Replaces L.Canvas.Tile#_onClick with one that follows Leaflet 1.9's own L.Canvas#_onClick:
 *   find the topmost interactive feature under the pointer (tile-local coordinates, as VectorGrid
 *   computes them) and always hand the event to the map's dispatcher, map._fireDOMEvent, through
 *   the renderer's _fireEvent -- with the feature as first target on a hit, with no canvas target
 *   on a miss (the map then finds itself as the target).  Like Leaflet, a click that ends a drag
 *   is not a click on a feature.
 *
 *   Event order is the same as with Leaflet 1.7: the feature (and, through it, the VectorGrid
 *   layer) gets the event first, then the map, unless a handler calls
 *   L.DomEvent.stopPropagation(e) or the feature's style sets bubblingMouseEvents: false.
 *   fakeStop never stopped that; in 1.7 it only told the map's DOM listener to skip the native
 *   event when it bubbled up, because the renderer had already dispatched it.  In 1.8+ the
 *   canvas' `_leaflet_disable_events` flag does exactly that, so nothing needs to replace it.
 *
 *   We deliberately don't define a global L.DomEvent.fakeStop: other plugins test for it to tell
 *   old Leaflet from new, and faking it would send them down the wrong path.
 *
 *   Nothing is changed when Leaflet still has fakeStop (< 1.8) or when the loaded VectorGrid no
 *   longer calls it (a fixed release), so the file is safe to keep after an upgrade.
 */
(function (L) {
	'use strict';

	if (!L || !L.Canvas || !L.Canvas.Tile || !L.DomEvent) { return; }
	if (typeof L.DomEvent.fakeStop === 'function') { return; }

	var proto = L.Canvas.Tile.prototype;
	if (proto._gisappLeaflet19Fix) { return; }
	if (String(proto._onClick).indexOf('fakeStop') === -1) { return; }

	proto._onClick = function (e) {
		var map = this._map;
		if (!map) { return; }

		var point = map.mouseEventToLayerPoint(e).subtract(this.getOffset()),
		    clickLike = e.type === 'click' || e.type === 'preclick',
		    hit = null,
		    id, layer;

		// Later entries were drawn later, i.e. on top: the last match is what the user sees.
		for (id in this._layers) {
			layer = this._layers[id];
			if (layer.options.interactive && layer._containsPoint(point) &&
			    !(clickLike && map._draggableMoved(layer))) {
				hit = layer;
			}
		}

		// false: no canvas target, the map finds the targets (itself) from the DOM event.
		this._fireEvent(hit ? [hit] : false, e);
	};
	proto._gisappLeaflet19Fix = true;
}(typeof window !== 'undefined' ? window.L : undefined));
