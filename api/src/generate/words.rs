//! The wording of generated documents and tasks: the subjects Party and State documents deal
//! with, and the phrases their task lists are made of, so that search meets real Vietnamese text.

use rand::Rng;
use rand::seq::IndexedRandom;

/// What a central document is about: its subject as a title ends, and the short form tasks use.
pub struct Topic {
    pub subject: &'static str,
    pub subject_en: &'static str,
    pub short: &'static str,
}

pub const TOPICS: [Topic; 16] = [
    Topic {
        subject: "tiếp tục nâng cao chất lượng, hiệu quả công tác thông tin đối ngoại trong tình hình mới",
        subject_en: "continuing to improve the quality and effectiveness of external information work in the new situation",
        short: "công tác thông tin đối ngoại",
    },
    Topic {
        subject: "đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
        subject_en: "breakthroughs in science, technology, innovation and national digital transformation",
        short: "chuyển đổi số",
    },
    Topic {
        subject: "đẩy mạnh cải cách hành chính, cải thiện môi trường đầu tư kinh doanh",
        subject_en: "stepping up administrative reform and improving the business environment",
        short: "cải cách hành chính",
    },
    Topic {
        subject: "tăng cường công tác phòng, chống tham nhũng, lãng phí, tiêu cực",
        subject_en: "strengthening the prevention of corruption, waste and negative practices",
        short: "phòng, chống tham nhũng, lãng phí",
    },
    Topic {
        subject: "phát triển kinh tế tư nhân",
        subject_en: "developing the private economy",
        short: "phát triển kinh tế tư nhân",
    },
    Topic {
        subject: "bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
        subject_en: "protecting the Party's ideological foundation and refuting wrong and hostile views",
        short: "bảo vệ nền tảng tư tưởng của Đảng",
    },
    Topic {
        subject: "chủ động ứng phó với biến đổi khí hậu, tăng cường quản lý tài nguyên và bảo vệ môi trường",
        subject_en: "responding to climate change and strengthening resource management and environmental protection",
        short: "bảo vệ môi trường",
    },
    Topic {
        subject: "đổi mới căn bản, toàn diện giáo dục và đào tạo",
        subject_en: "fundamental and comprehensive renewal of education and training",
        short: "đổi mới giáo dục và đào tạo",
    },
    Topic {
        subject: "tăng cường bảo vệ, chăm sóc và nâng cao sức khỏe nhân dân",
        subject_en: "protecting, caring for and improving the people's health",
        short: "chăm sóc sức khỏe nhân dân",
    },
    Topic {
        subject: "tiếp tục sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả",
        subject_en: "continuing to streamline the apparatus of the political system",
        short: "sắp xếp tổ chức bộ máy",
    },
    Topic {
        subject: "phát triển văn hóa, con người Việt Nam đáp ứng yêu cầu phát triển bền vững đất nước",
        subject_en: "developing Vietnamese culture and people for the country's sustainable development",
        short: "phát triển văn hóa",
    },
    Topic {
        subject: "hội nhập quốc tế trong tình hình mới",
        subject_en: "international integration in the new situation",
        short: "hội nhập quốc tế",
    },
    Topic {
        subject: "bảo đảm an ninh mạng, an toàn thông tin trên không gian mạng",
        subject_en: "ensuring cybersecurity and information safety in cyberspace",
        short: "an ninh mạng",
    },
    Topic {
        subject: "xây dựng nông thôn mới và đô thị văn minh",
        subject_en: "building new rural areas and civilised cities",
        short: "xây dựng nông thôn mới",
    },
    Topic {
        subject: "phát triển hạ tầng giao thông đồng bộ, hiện đại",
        subject_en: "developing modern and integrated transport infrastructure",
        short: "phát triển hạ tầng giao thông",
    },
    Topic {
        subject: "bảo đảm an sinh xã hội và giảm nghèo bền vững",
        subject_en: "ensuring social security and sustainable poverty reduction",
        short: "an sinh xã hội",
    },
];

const ACTIONS: [&str; 14] = [
    "Tổ chức quán triệt, tuyên truyền sâu rộng về",
    "Rà soát, sửa đổi, bổ sung văn bản quy phạm pháp luật về",
    "Xây dựng và triển khai kế hoạch về",
    "Kiểm tra, giám sát việc thực hiện",
    "Tăng cường phối hợp giữa các cơ quan trong",
    "Đẩy mạnh ứng dụng công nghệ thông tin trong",
    "Bồi dưỡng, nâng cao năng lực đội ngũ cán bộ làm",
    "Sơ kết, tổng kết, đánh giá kết quả thực hiện",
    "Đấu tranh, phản bác thông tin sai trái liên quan đến",
    "Huy động các nguồn lực xã hội cho",
    "Xây dựng cơ sở dữ liệu phục vụ",
    "Biểu dương, khen thưởng tập thể, cá nhân có thành tích trong",
    "Bố trí kinh phí bảo đảm cho",
    "Nghiên cứu, đề xuất cơ chế, chính sách về",
];

const OUTPUTS: [&str; 6] = [
    "Kế hoạch được ban hành",
    "Báo cáo kết quả thực hiện",
    "Văn bản được sửa đổi, bổ sung",
    "Hội nghị được tổ chức",
    "Cơ sở dữ liệu được đưa vào vận hành",
    "Đề án được phê duyệt",
];

const PROGRESS: [&str; 5] = [
    "Đã xây dựng kế hoạch và phân công cán bộ thực hiện.",
    "Đã tổ chức hội nghị quán triệt, triển khai đến các đơn vị trực thuộc.",
    "Đang triển khai theo tiến độ; một số nội dung cần thêm kinh phí.",
    "Đã hoàn thành phần lớn nội dung; đang tổng hợp báo cáo.",
    "Đã phối hợp với các cơ quan liên quan, kết quả bước đầu khả quan.",
];

/// The content of a task: an action on the document's subject, where it applies.
pub fn task_content(rng: &mut impl Rng, topic: &Topic, place: &str) -> String {
    let action = ACTIONS.choose(rng).copied().unwrap_or(ACTIONS[0]);
    format!("{action} {} {place}", topic.short)
}

pub fn expected_output(rng: &mut impl Rng) -> String {
    OUTPUTS.choose(rng).copied().unwrap_or(OUTPUTS[0]).to_owned()
}

pub fn progress_narrative(rng: &mut impl Rng) -> String {
    PROGRESS.choose(rng).copied().unwrap_or(PROGRESS[0]).to_owned()
}
