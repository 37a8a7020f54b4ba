//! Vietnamese accent-insensitive text search.
//!
//! Names are stored beside a folded copy (`search_name`): lower case, no
//! diacritics, `đ` as `d`, single spaces. A query is folded the same way and
//! matched with LIKE, which then behaves the same on SQLite and PostgreSQL.

/// Folds text for searching: `Mường Ảng` and `MUONG ANG` both give `muong ang`.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut folded = String::with_capacity(ascii.len());
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

/// The LIKE pattern for a search query: folded, with `%`, `_` and `\`
/// escaped (use with `ESCAPE '\'`), matching anywhere in the folded name.
pub fn contains_pattern(query: &str) -> String {
    let folded = fold(query);
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_to_the_same_text() {
        assert_eq!(fold("Mường Ảng"), "muong ang");
        assert_eq!(fold("MƯỜNG ẢNG"), "muong ang");
        assert_eq!(fold("muong ang"), "muong ang");
    }

    #[test]
    fn d_with_stroke_matches_plain_d() {
        assert_eq!(fold("Đảng bộ xã Mường Đăng"), "dang bo xa muong dang");
    }

    #[test]
    fn punctuation_and_spaces_collapse() {
        assert_eq!(fold("  Chi bộ   bản Hón-1 "), "chi bo ban hon 1");
    }

    #[test]
    fn like_wildcards_in_a_query_are_literal() {
        // Folding already drops % and _, so nothing reaches LIKE as a wildcard.
        assert_eq!(contains_pattern("50%_x"), "%50 x%");
    }
}
