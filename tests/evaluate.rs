//! `newsworker evaluate` on a tiny labelled set in the WCXB layout (pages
//! written for this project, tests/fixtures/wcxb-mini).

use crate::common::bin;

const MINI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wcxb-mini");

fn evaluate(args: &[&str]) -> String {
    let out = std::process::Command::new(bin())
        .arg("evaluate")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn value(report: &str, key: &str) -> f64 {
    let line = report
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in:\n{report}"));
    line[key.len()..]
        .trim()
        .split([' ', ','])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn evaluate_scores_html_pages_and_metadata() {
    let report = evaluate(&[MINI, "--worst", "2"]);
    assert_eq!(value(&report, "pages"), 2.0);
    assert_eq!(value(&report, "f1"), 1.0, "{report}");
    assert_eq!(value(&report, "title"), 1.0, "{report}");
    assert_eq!(value(&report, "author"), 1.0, "{report}");
    assert_eq!(value(&report, "date"), 1.0, "{report}");
    assert!(report.contains("cpu ms     median"));
}

#[test]
fn evaluate_scores_scraped_text_against_the_same_truth() {
    let report = evaluate(&[MINI, "--text", &format!("{MINI}/scraped.jsonl")]);
    assert_eq!(value(&report, "f1"), 1.0, "{report}");
}

#[test]
fn evaluate_lists_a_page_that_misses_text_as_worst() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["html", "ground-truth"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(format!("{MINI}/{sub}")).unwrap() {
            let e = entry.unwrap();
            std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    // The truth of page 0002 gains a paragraph the page does not have.
    let gt_path = dir.path().join("ground-truth/0002.json");
    let mut gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gt_path).unwrap()).unwrap();
    let main = gt["ground_truth"]["main_content"]
        .as_str()
        .unwrap()
        .to_string();
    gt["ground_truth"]["main_content"] =
        format!("{main}\n\nThis extra paragraph of the ground truth is nowhere on the page at all, so recall drops.").into();
    gt["ground_truth"]["title"] = "A different title".into();
    std::fs::write(&gt_path, gt.to_string()).unwrap();
    // No page labels an author: the author line says so, not 0.0000.
    for id in ["0001", "0002"] {
        let path = dir.path().join(format!("ground-truth/{id}.json"));
        let mut gt: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        gt["ground_truth"].as_object_mut().unwrap().remove("author");
        std::fs::write(&path, gt.to_string()).unwrap();
    }

    let report = evaluate(&[dir.path().to_str().unwrap(), "--worst", "1"]);
    assert!(value(&report, "recall") < 1.0, "{report}");
    assert_eq!(value(&report, "precision"), 1.0, "{report}");
    assert_eq!(value(&report, "title"), 0.5, "{report}");
    assert!(
        report.contains("author     n/a (no page has a true author)"),
        "{report}"
    );
    assert!(report.contains("(2 pages labelled)"), "{report}");
    let worst = report
        .lines()
        .skip_while(|l| !l.starts_with("worst"))
        .nth(1)
        .unwrap();
    assert!(worst.trim_start().starts_with("0002"), "{report}");
}
