//! Where the app keeps Dynamic Analyses: the in-browser store (the default;
//! it needs no server) around the core's `MemoryStore`.

pub mod browser;
pub mod idb;
