//! Reference code lists that campaign files are checked against: ISO 3166-1 alpha-2 countries
//! and ISO 639 languages. Kept as plain sorted lists so a typo such as `NE` for `NL` is caught
//! only when it names no country at all, and `XX` always is.

/// ISO 3166-1 alpha-2 codes (officially assigned), sorted.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET \
FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR \
IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN \
MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR \
TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// ISO 639-1 two-letter language codes, sorted.
const LANGUAGES_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu \
cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig \
ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr \
ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm \
sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// ISO 639-3 codes for languages without a two-letter code that migration campaigns commonly
/// need (Dari, Central and Northern Kurdish, Hazaragi, Tigre, Bilen, Fula varieties, ...).
const LANGUAGES_639_3: &str = "aeb apc apd arq ary arz ast bal bej bem ber byn ckb dyu fil ful fuv haz hne kab kmr \
kri lij man mfe nus pcm prs rom sdh skr snk srr syl tig tmh zgh";

/// Whether `code` is an assigned ISO 3166-1 alpha-2 country code (upper case).
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code)
}

/// Whether `code` is a known ISO 639 language code (lower case).
pub fn is_language(code: &str) -> bool {
    match code.len() {
        2 => LANGUAGES_639_1.split(' ').any(|c| c == code),
        3 => LANGUAGES_639_3.split(' ').any(|c| c == code),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_complete() {
        let countries: Vec<&str> = COUNTRIES.split(' ').collect();
        assert!(countries.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(countries.len(), 249);
        let languages: Vec<&str> = LANGUAGES_639_1.split(' ').collect();
        assert!(languages.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(languages.len(), 183);
    }

    #[test]
    fn recognises_codes() {
        assert!(is_country("NL") && is_country("NE") && !is_country("XX") && !is_country("nl"));
        assert!(is_language("ti") && is_language("prs") && !is_language("xx"));
    }
}
