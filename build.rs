//! Lists the language files of the lexicon (`src/lexicon/*.toml`) for
//! `lexicon::FILES`, so that adding a language is adding its file: no list
//! in the code to keep in step.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src/lexicon");
    let mut codes: Vec<String> = std::fs::read_dir("src/lexicon")
        .expect("src/lexicon is readable")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    codes.sort();
    let mut out = String::from("&[\n");
    for code in codes {
        out.push_str(&format!(
            "    ({code:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/src/lexicon/{code}.toml\"))),\n"
        ));
    }
    out.push(']');
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lexicon_files.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
