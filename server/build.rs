//! Puts the built site (`../dist`, made by `trunk build --release`) inside
//! the sandbox server, so that one file serves both: `$OUT_DIR/site.rs`
//! lists every file with its bytes. Without a built site the list is
//! empty (the server then answers only its API, unless `--dist` names one).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            files(&path, root, out);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((format!("/{name}"), path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = std::env::var_os("QIANBAO_EMBED_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../dist"));
    println!("cargo:rerun-if-env-changed=QIANBAO_EMBED_DIST");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut found = Vec::new();
    files(&dist, &dist, &mut found);
    let mut code = String::from("/// The built site: (path, bytes), sorted by path.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &found {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("site.rs");
    if let Err(error) = std::fs::write(&out, code) {
        panic!("cannot write {}: {error}", out.display());
    }
}
