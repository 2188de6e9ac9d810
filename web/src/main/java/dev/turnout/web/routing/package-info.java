/**
 * What the dashboard's screens show about routing, shared by the editor, the overview and the history:
 * the preview of a name under a dtab ({@link dev.turnout.web.routing.PreviewService}, drawn as a {@link
 * dev.turnout.web.routing.TreeView}), the traffic shares it projects ({@link
 * dev.turnout.web.routing.Projection}) and what changed between two dtab texts ({@link
 * dev.turnout.web.routing.DentryDiff}). Every answer about where traffic goes comes from engine code
 * (the interpreter's delegation, {@link dev.turnout.naming.TrafficShares}); this package only words and
 * shapes it for pages.
 */
package dev.turnout.web.routing;
