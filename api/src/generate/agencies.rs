//! The apparatus a national deployment serves, as it stands after the reorganisation of 2025: the
//! Party centre, the Government and its ministries, 34 provinces with their departments, and some
//! 3,300 communes.

use entity::sea_orm_active_enums::{AgencyKind, AgencyLevel};
use rand::Rng;
use rand::seq::SliceRandom;

/// One agency to create; `parent` indexes an earlier entry.
pub struct AgencyPlan {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: AgencyKind,
    pub level: AgencyLevel,
    pub parent: Option<usize>,
}

/// Where each kind of agency sits in [`Apparatus::agencies`].
pub struct Apparatus {
    pub agencies: Vec<AgencyPlan>,
    pub politburo: usize,
    pub government: usize,
    pub prime_minister: usize,
    /// Ministries, ministerial-level and Government agencies: they preside over national tasks.
    pub ministries: Vec<usize>,
    pub provinces: Vec<Province>,
}

pub struct Province {
    pub name: &'static str,
    pub committee: usize,
    pub departments: Vec<usize>,
    pub communes: Vec<usize>,
}

const PARTY: [(&str, &str, &str); 7] = [
    ("BTGDVTW", "Ban Tuyên giáo và Dân vận Trung ương", "Central Propaganda and Mass Mobilization Commission"),
    ("BTCTW", "Ban Tổ chức Trung ương", "Central Organization Commission"),
    ("UBKTTW", "Ủy ban Kiểm tra Trung ương", "Central Inspection Commission"),
    ("BDNTW", "Ban Đối ngoại Trung ương", "Central Commission for External Relations"),
    ("BNCTW", "Ban Nội chính Trung ương", "Central Internal Affairs Commission"),
    ("BCSCLTW", "Ban Chính sách, chiến lược Trung ương", "Central Policy and Strategy Commission"),
    ("VPTW", "Văn phòng Trung ương Đảng", "Office of the Party Central Committee"),
];

const MINISTRIES: [(&str, &str, &str, AgencyKind); 25] = [
    ("VPCP", "Văn phòng Chính phủ", "Government Office", AgencyKind::Ministry),
    ("BQP", "Bộ Quốc phòng", "Ministry of National Defence", AgencyKind::Ministry),
    ("BCA", "Bộ Công an", "Ministry of Public Security", AgencyKind::Ministry),
    ("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs", AgencyKind::Ministry),
    ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs", AgencyKind::Ministry),
    ("BTP", "Bộ Tư pháp", "Ministry of Justice", AgencyKind::Ministry),
    ("BTC", "Bộ Tài chính", "Ministry of Finance", AgencyKind::Ministry),
    ("BCTHUONG", "Bộ Công Thương", "Ministry of Industry and Trade", AgencyKind::Ministry),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment", AgencyKind::Ministry),
    ("BXD", "Bộ Xây dựng", "Ministry of Construction", AgencyKind::Ministry),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism", AgencyKind::Ministry),
    ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology", AgencyKind::Ministry),
    ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training", AgencyKind::Ministry),
    ("BYT", "Bộ Y tế", "Ministry of Health", AgencyKind::Ministry),
    ("BDTTG", "Bộ Dân tộc và Tôn giáo", "Ministry of Ethnic and Religious Affairs", AgencyKind::Ministry),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam", AgencyKind::Ministry),
    ("TTCP", "Thanh tra Chính phủ", "Government Inspectorate", AgencyKind::Ministry),
    ("TTXVN", "Thông tấn xã Việt Nam", "Vietnam News Agency", AgencyKind::GovernmentAgency),
    ("DTHVN", "Đài Truyền hình Việt Nam", "Vietnam Television", AgencyKind::GovernmentAgency),
    ("DTNVN", "Đài Tiếng nói Việt Nam", "Voice of Vietnam", AgencyKind::GovernmentAgency),
    (
        "VHLKHCN",
        "Viện Hàn lâm Khoa học và Công nghệ Việt Nam",
        "Vietnam Academy of Science and Technology",
        AgencyKind::GovernmentAgency,
    ),
    (
        "VHLKHXH",
        "Viện Hàn lâm Khoa học xã hội Việt Nam",
        "Vietnam Academy of Social Sciences",
        AgencyKind::GovernmentAgency,
    ),
    (
        "HVCTQG",
        "Học viện Chính trị quốc gia Hồ Chí Minh",
        "Ho Chi Minh National Academy of Politics",
        AgencyKind::GovernmentAgency,
    ),
    ("BHXHVN", "Bảo hiểm xã hội Việt Nam", "Vietnam Social Security", AgencyKind::GovernmentAgency),
    (
        "UBQLV",
        "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp",
        "Commission for the Management of State Capital at Enterprises",
        AgencyKind::GovernmentAgency,
    ),
];

/// The 34 provincial-level units from 1 July 2025: code, name, and whether it is a city.
const PROVINCES: [(&str, &str, bool); 34] = [
    ("HN", "Hà Nội", true),
    ("HCM", "Hồ Chí Minh", true),
    ("HP", "Hải Phòng", true),
    ("DNG", "Đà Nẵng", true),
    ("CTH", "Cần Thơ", true),
    ("HUE", "Huế", true),
    ("TQ", "Tuyên Quang", false),
    ("CB", "Cao Bằng", false),
    ("LCH", "Lai Châu", false),
    ("LCA", "Lào Cai", false),
    ("TNG", "Thái Nguyên", false),
    ("DB", "Điện Biên", false),
    ("LS", "Lạng Sơn", false),
    ("SL", "Sơn La", false),
    ("PT", "Phú Thọ", false),
    ("BN", "Bắc Ninh", false),
    ("QN", "Quảng Ninh", false),
    ("HY", "Hưng Yên", false),
    ("NB", "Ninh Bình", false),
    ("TH", "Thanh Hóa", false),
    ("NA", "Nghệ An", false),
    ("HT", "Hà Tĩnh", false),
    ("QT", "Quảng Trị", false),
    ("QNG", "Quảng Ngãi", false),
    ("GL", "Gia Lai", false),
    ("KH", "Khánh Hòa", false),
    ("LD", "Lâm Đồng", false),
    ("DL", "Đắk Lắk", false),
    ("DNA", "Đồng Nai", false),
    ("TNI", "Tây Ninh", false),
    ("VL", "Vĩnh Long", false),
    ("DT", "Đồng Tháp", false),
    ("CM", "Cà Mau", false),
    ("AG", "An Giang", false),
];

/// The departments of a provincial People's Committee: code suffix, name, English name.
const DEPARTMENTS: [(&str, &str, &str); 12] = [
    ("SNOIV", "Sở Nội vụ", "Department of Home Affairs"),
    ("STP", "Sở Tư pháp", "Department of Justice"),
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("SXD", "Sở Xây dựng", "Department of Construction"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SNGV", "Sở Ngoại vụ", "Department of Foreign Affairs"),
    ("TTRA", "Thanh tra tỉnh", "Provincial Inspectorate"),
];

/// Commune-level units after 1 July 2025.
pub const COMMUNES: usize = 3_321;

const FIRST: [&str; 40] = [
    "Tân",
    "An",
    "Phú",
    "Hòa",
    "Bình",
    "Long",
    "Thạnh",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Mỹ",
    "Vĩnh",
    "Phước",
    "Hưng",
    "Thành",
    "Quang",
    "Minh",
    "Đức",
    "Hải",
    "Thái",
    "Hợp",
    "Đại",
    "Trung",
    "Kim",
    "Lộc",
    "Thuận",
    "Xuân",
    "Hồng",
    "Ngọc",
    "Thượng",
    "Hạ",
    "Gia",
    "Việt",
    "Cẩm",
    "Yên",
    "Quảng",
    "Sơn",
    "Tiên",
    "Lạc",
];
const SECOND: [&str; 40] = [
    "Lập", "Phú", "Hòa", "Bình", "Thịnh", "Hưng", "Lợi", "Thành", "Sơn", "Hải", "Khánh", "Tiến", "Phong", "Lâm",
    "Điền", "Xuyên", "Giang", "Hà", "Châu", "Mỹ", "An", "Lộc", "Phước", "Trạch", "Thủy", "Nguyên", "Quý", "Tường",
    "Vinh", "Đông", "Tân", "Linh", "Định", "Hiệp", "Kiều", "Thanh", "Trung", "Long", "Yên", "Ninh",
];

impl Apparatus {
    pub fn new(rng: &mut impl Rng) -> Self {
        let mut agencies = Vec::new();
        let mut add = |code: String, name: String, name_en: String, kind, level, parent: Option<usize>| {
            agencies.push(AgencyPlan { code, name, name_en, kind, level, parent });
            agencies.len() - 1
        };
        let central = AgencyLevel::Central;
        let politburo =
            add("BCT".into(), "Bộ Chính trị".into(), "Politburo".into(), AgencyKind::PartyCentral, central, None);
        for (code, name, en) in PARTY {
            add(code.into(), name.into(), en.into(), AgencyKind::PartyCommission, central, Some(politburo));
        }
        add(
            "BCD-TTDN".into(),
            "Ban Chỉ đạo công tác thông tin đối ngoại".into(),
            "Central Steering Committee for External Information".into(),
            AgencyKind::SteeringCommittee,
            central,
            Some(politburo),
        );
        add("QH".into(), "Quốc hội".into(), "National Assembly".into(), AgencyKind::Other, central, None);
        let government =
            add("CP".into(), "Chính phủ".into(), "Government".into(), AgencyKind::Government, central, None);
        let prime_minister = add(
            "TTG".into(),
            "Thủ tướng Chính phủ".into(),
            "Prime Minister".into(),
            AgencyKind::PrimeMinister,
            central,
            Some(government),
        );
        let ministries = MINISTRIES
            .iter()
            .map(|(code, name, en, kind)| {
                add((*code).into(), (*name).into(), (*en).into(), *kind, central, Some(government))
            })
            .collect();

        let sizes = commune_counts();
        let mut provinces = Vec::new();
        for ((code, name, city), communes) in PROVINCES.iter().zip(sizes) {
            let (unit, unit_en) = if *city { ("thành phố", "City") } else { ("tỉnh", "Province") };
            let provincial = AgencyLevel::Provincial;
            add(
                format!("{code}-TU"),
                format!("{} {name}", if *city { "Thành ủy" } else { "Tỉnh ủy" }),
                format!("{name} {unit_en} Party Committee"),
                AgencyKind::PartyCommittee,
                provincial,
                None,
            );
            let committee = add(
                format!("{code}-UBND"),
                format!("Ủy ban nhân dân {unit} {name}"),
                format!("{name} {unit_en} People's Committee"),
                AgencyKind::PeoplesCommittee,
                provincial,
                None,
            );
            let mut departments: Vec<usize> = DEPARTMENTS
                .iter()
                .map(|(suffix, dept, en)| {
                    add(
                        format!("{code}-{suffix}"),
                        format!("{dept} {name}"),
                        format!("{name} {en}"),
                        AgencyKind::Department,
                        provincial,
                        Some(committee),
                    )
                })
                .collect();
            departments.push(add(
                format!("{code}-CA"),
                format!("Công an {unit} {name}"),
                format!("{name} {unit_en} Police"),
                AgencyKind::ArmedForces,
                provincial,
                Some(committee),
            ));
            let mut names: Vec<(usize, usize)> = (0..FIRST.len())
                .flat_map(|a| (0..SECOND.len()).map(move |b| (a, b)))
                .filter(|(a, b)| FIRST[*a] != SECOND[*b])
                .collect();
            names.shuffle(rng);
            let communes = names
                .into_iter()
                .take(communes)
                .enumerate()
                .map(|(i, (a, b))| {
                    let ward = *city && i % 3 != 2;
                    let (unit, unit_en) = if ward { ("phường", "Ward") } else { ("xã", "Commune") };
                    let local = format!("{} {}", FIRST[a], SECOND[b]);
                    add(
                        format!("{code}-X{:03}", i + 1),
                        format!("Ủy ban nhân dân {unit} {local}"),
                        format!("{local} {unit_en} People's Committee, {name}"),
                        AgencyKind::PeoplesCommittee,
                        AgencyLevel::Commune,
                        Some(committee),
                    )
                })
                .collect();
            provinces.push(Province { name, committee, departments, communes });
        }
        Self { agencies, politburo, government, prime_minister, ministries, provinces }
    }
}

/// Communes per province: between about 60 and 140, adding up to [`COMMUNES`].
fn commune_counts() -> Vec<usize> {
    let weights: Vec<usize> = (0..PROVINCES.len()).map(|i| 60 + (i * 37) % 80).collect();
    let total: usize = weights.iter().sum();
    let mut counts: Vec<usize> = weights.iter().map(|w| w * COMMUNES / total).collect();
    let short = COMMUNES - counts.iter().sum::<usize>();
    for c in counts.iter_mut().take(short) {
        *c += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn the_apparatus_has_the_shape_of_the_country() {
        let a = Apparatus::new(&mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a.provinces.len(), 34);
        assert_eq!(a.provinces.iter().map(|p| p.communes.len()).sum::<usize>(), COMMUNES);
        assert!(a.provinces.iter().all(|p| p.communes.len() >= 60 && p.departments.len() == 13));
        let mut codes: Vec<&str> = a.agencies.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), a.agencies.len(), "codes are unique");
        for p in &a.provinces {
            let mut names: Vec<&str> = p.communes.iter().map(|c| a.agencies[*c].name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), p.communes.len(), "commune names are unique within {}", p.name);
        }
        assert!(a.agencies.iter().all(|p| p.parent.is_none_or(|i| i < a.agencies.len())));
    }
}
