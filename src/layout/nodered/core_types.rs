//! The node types Node-RED itself ships, as data: a flow may use these
//! without declaring any package.
//!
//! Taken from the npm package `@node-red/nodes` 4.1.15 (the core nodes of
//! `node-red` 4.1.15, the newest 4.x when this list was taken): every name
//! passed to `RED.nodes.registerType` in its `core/**/*.js` files; it has no
//! "node-red" → "nodes" map of its own. 4.1.8 and 5.0.7 register the same 50
//! names, and they are the types of the "node-red" module in the
//! `.config.nodes.json` that 4.1.15 writes. To refresh:
//! `npm pack @node-red/nodes@VERSION`, then
//! `grep -rhoE "registerType\(\s*['\"][^'\"]+" package/core --include=*.js`.

/// Registered core node types, sorted.
pub const CORE_NODE_TYPES: &[&str] = &[
    "batch",
    "catch",
    "change",
    "comment",
    "complete",
    "csv",
    "debug",
    "delay",
    "exec",
    "file",
    "file in",
    "function",
    "global-config",
    "html",
    "http in",
    "http proxy",
    "http request",
    "http response",
    "inject",
    "join",
    "json",
    "junction",
    "link call",
    "link in",
    "link out",
    "mqtt in",
    "mqtt out",
    "mqtt-broker",
    "range",
    "rbe",
    "sort",
    "split",
    "status",
    "switch",
    "tcp in",
    "tcp out",
    "tcp request",
    "template",
    "tls-config",
    "trigger",
    "udp in",
    "udp out",
    "unknown",
    "watch",
    "websocket in",
    "websocket out",
    "websocket-client",
    "websocket-listener",
    "xml",
    "yaml",
];

/// Types the editor itself provides rather than a node module: workspaces
/// and the grouping of nodes on them.
pub const STRUCTURAL_TYPES: &[&str] = &["tab", "subflow", "group"];
