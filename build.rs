//! Links the Linux binary as a fixed-address (non-PIE) executable: the PIE build carries about
//! 15,000 relative relocations that the loader applies at every start, half a one-shot run.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // gcc and clang, the linkers of the gnu and musl targets, both take -no-pie. Not with
    // RUSTFLAGS="-C target-feature=+crt-static": rustc then links a static PIE, and -no-pie on
    // top of it gives a binary that crashes at start (`cargo build-static` is unaffected).
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let fully_static = features.split(',').any(|f| f == "crt-static");
    if os == "linux" && (env == "gnu" || env == "musl") && !fully_static {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
