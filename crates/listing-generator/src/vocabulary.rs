//! The words generated listings are made of: real produce of Vietnamese
//! farms with the names, grades, places and prices sellers actually use,
//! so that searches meet the same word frequencies as in production
//! (`che` in thousands of listings, `st25` in a few hundred).

/// A product a seller may list, priced per `unit`.
pub struct Product {
    pub category: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    /// Usual price of one unit in đồng, low and high.
    pub price: (i64, i64),
    /// Words sellers add after the name.
    pub kinds: &'static [&'static str],
    /// Places the product is known for.
    pub origins: &'static [&'static str],
    /// How often sellers of the category offer it, relative to the others.
    pub weight: u32,
}

const fn p(
    category: &'static str,
    name: &'static str,
    unit: &'static str,
    price: (i64, i64),
    kinds: &'static [&'static str],
    origins: &'static [&'static str],
    weight: u32,
) -> Product {
    Product { category, name, unit, price, kinds, origins, weight }
}

pub const PRODUCTS: &[Product] = &[
    // rau
    p(
        "rau",
        "Rau cải mèo",
        "kg",
        (20_000, 40_000),
        &["sạch", "vườn nhà", "nương"],
        &["Hà Giang", "Sa Pa", "Mộc Châu"],
        4,
    ),
    p("rau", "Su su", "kg", (12_000, 25_000), &["quả non", "tươi"], &["Tam Đảo", "Sa Pa"], 4),
    p("rau", "Ngọn su su", "bo", (10_000, 20_000), &["non", "tươi"], &["Tam Đảo", "Sa Pa"], 3),
    p(
        "rau",
        "Măng khô",
        "kg",
        (250_000, 450_000),
        &["nứa", "vầu", "sặt", "gác bếp"],
        &["Bắc Kạn", "Lạng Sơn", "Tây Bắc"],
        5,
    ),
    p("rau", "Măng tươi", "kg", (20_000, 40_000), &["vầu", "nứa", "tre"], &["Cao Bằng", "Thanh Hóa"], 3),
    p("rau", "Rau sắng", "kg", (60_000, 120_000), &["rừng", "tươi"], &["Chùa Hương", "Yên Bái"], 2),
    p("rau", "Bí đỏ", "kg", (12_000, 25_000), &["hồ lô", "bí đá", "già"], &["Mộc Châu", "Sa Pa"], 3),
    p("rau", "Khoai sọ", "kg", (25_000, 45_000), &["núi", "củ to"], &["Bắc Kạn", "Cao Bằng"], 2),
    p("rau", "Khoai lang", "kg", (15_000, 30_000), &["mật", "ruột vàng", "tím"], &["Đà Lạt", "Vĩnh Long"], 3),
    p("rau", "Cà chua", "kg", (15_000, 35_000), &["bi", "beef", "hữu cơ"], &["Đà Lạt", "Mộc Châu"], 3),
    p("rau", "Bắp cải", "kg", (8_000, 20_000), &["tím", "trái tim"], &["Đà Lạt", "Mộc Châu"], 2),
    p("rau", "Rau bò khai", "bo", (15_000, 30_000), &["rừng"], &["Cao Bằng", "Bắc Kạn"], 1),
    p("rau", "Măng tây", "kg", (80_000, 150_000), &["xanh", "tím"], &["Ninh Thuận", "Đà Lạt"], 1),
    // qua
    p(
        "qua",
        "Cam sành",
        "kg",
        (20_000, 45_000),
        &["chín cây", "vỏ mỏng", "mọng nước"],
        &["Hàm Yên", "Bắc Quang", "Vĩnh Long"],
        6,
    ),
    p("qua", "Cam canh", "kg", (25_000, 50_000), &["chín cây", "ngọt đậm"], &["Canh", "Cao Phong"], 3),
    p("qua", "Cam Vinh", "kg", (40_000, 70_000), &["Xã Đoài", "chín cây"], &["Nghệ An"], 3),
    p(
        "qua",
        "Bưởi da xanh",
        "kg",
        (40_000, 80_000),
        &["ruột hồng", "quả to"],
        &["Bến Tre", "Vĩnh Long", "Đồng Nai"],
        5,
    ),
    p("qua", "Bưởi Diễn", "kg", (30_000, 60_000), &["quả to", "vàng đều"], &["Phú Diễn", "Hà Nội"], 3),
    p("qua", "Bưởi Phúc Trạch", "kg", (30_000, 60_000), &["tép hồng"], &["Hà Tĩnh"], 2),
    p("qua", "Nhãn lồng", "kg", (35_000, 70_000), &["cùi dày", "cành"], &["Hưng Yên"], 3),
    p("qua", "Vải thiều", "kg", (25_000, 60_000), &["chín sớm", "chín cây"], &["Lục Ngạn", "Thanh Hà"], 4),
    p(
        "qua",
        "Xoài cát Hòa Lộc",
        "kg",
        (50_000, 90_000),
        &["chín cây", "loại to"],
        &["Tiền Giang", "Đồng Tháp"],
        3,
    ),
    p("qua", "Mận hậu", "kg", (20_000, 45_000), &["chín cây", "giòn"], &["Mộc Châu", "Bắc Hà"], 3),
    p("qua", "Mận tam hoa", "kg", (30_000, 60_000), &["giòn ngọt"], &["Bắc Hà"], 2),
    p("qua", "Chuối tiêu hồng", "kg", (15_000, 30_000), &["chín tự nhiên"], &["Hưng Yên", "Phú Thọ"], 2),
    p("qua", "Thanh long ruột đỏ", "kg", (15_000, 35_000), &["quả to"], &["Bình Thuận", "Long An"], 3),
    p(
        "qua",
        "Sầu riêng Ri6",
        "kg",
        (60_000, 130_000),
        &["chín cây", "cơm vàng hạt lép"],
        &["Đắk Lắk", "Tiền Giang"],
        3,
    ),
    p("qua", "Bơ sáp 034", "kg", (30_000, 70_000), &["dẻo", "trái dài"], &["Đắk Lắk", "Lâm Đồng"], 2),
    p("qua", "Chanh leo", "kg", (20_000, 45_000), &["tím", "chanh dây"], &["Gia Lai", "Sơn La"], 2),
    p("qua", "Hồng giòn", "kg", (40_000, 80_000), &["không hạt"], &["Đà Lạt", "Mộc Châu"], 2),
    p("qua", "Quýt đường", "kg", (35_000, 65_000), &["chín cây"], &["Bắc Sơn", "Cần Thơ"], 2),
    p("qua", "Mít Thái", "kg", (15_000, 35_000), &["múi vàng", "chín cây"], &["Tiền Giang", "Đồng Nai"], 2),
    p("qua", "Dứa Queen", "qua", (10_000, 20_000), &["chín cây"], &["Đồng Giao", "Ninh Bình"], 1),
    p("qua", "Măng cụt", "kg", (40_000, 80_000), &["chín cây"], &["Lái Thiêu", "Bến Tre"], 1),
    // gao
    p(
        "gao",
        "Gạo ST25",
        "kg",
        (30_000, 45_000),
        &["lúa tôm", "hữu cơ", "mới xay"],
        &["Sóc Trăng", "Cà Mau"],
        7,
    ),
    p("gao", "Gạo ST24", "kg", (28_000, 40_000), &["lúa tôm", "mới xay"], &["Sóc Trăng"], 3),
    p(
        "gao",
        "Gạo nếp cái hoa vàng",
        "kg",
        (30_000, 50_000),
        &["hạt tròn", "vụ mới"],
        &["Đông Triều", "Hải Dương"],
        4,
    ),
    p("gao", "Gạo tám thơm", "kg", (25_000, 40_000), &["vụ mới", "hạt dài"], &["Điện Biên", "Hải Hậu"], 3),
    p("gao", "Gạo Séng Cù", "kg", (25_000, 40_000), &["vụ mới"], &["Bát Xát", "Mường Khương"], 2),
    p("gao", "Nếp Tú Lệ", "kg", (45_000, 70_000), &["nương", "hạt tròn"], &["Tú Lệ", "Văn Chấn"], 2),
    p("gao", "Gạo lứt đỏ", "kg", (30_000, 50_000), &["hữu cơ"], &["Điện Biên", "Cần Thơ"], 2),
    p("gao", "Gạo nương", "kg", (30_000, 50_000), &["vụ mới", "đỏ"], &["Lai Châu", "Hà Giang"], 2),
    p("gao", "Đậu đỏ", "kg", (45_000, 70_000), &["hạt nhỏ"], &["Hà Giang", "Điện Biên"], 2),
    p("gao", "Đậu xanh", "kg", (45_000, 70_000), &["lòng vàng", "cà vỏ"], &["Hà Giang", "Đắk Lắk"], 2),
    p("gao", "Lạc đỏ", "kg", (55_000, 90_000), &["hạt nhỏ", "vụ mới"], &["Nghệ An", "Hà Tĩnh"], 2),
    p("gao", "Vừng đen", "kg", (80_000, 140_000), &["rang", "sống"], &["Nghệ An"], 1),
    p("gao", "Ngô nếp nương", "qua", (5_000, 10_000), &["bắp non"], &["Sơn La", "Hà Giang"], 1),
    // che
    p(
        "che",
        "Chè Shan tuyết",
        "kg",
        (300_000, 1_500_000),
        &["cổ thụ", "búp", "bạch trà", "hồng trà"],
        &["Hà Giang", "Suối Giàng", "Tà Xùa", "Hoàng Su Phì", "Hồng Thái"],
        6,
    ),
    p(
        "che",
        "Chè Thái Nguyên",
        "kg",
        (150_000, 600_000),
        &["tôm nõn", "móc câu", "búp"],
        &["Tân Cương", "Đại Từ", "La Bằng"],
        6,
    ),
    p(
        "che",
        "Chè móc câu",
        "kg",
        (200_000, 500_000),
        &["đặc biệt", "búp non"],
        &["Tân Cương", "Thái Nguyên"],
        3,
    ),
    p("che", "Chè xanh tươi", "kg", (30_000, 60_000), &["lá", "búp"], &["Nghệ An", "Phú Thọ"], 2),
    p(
        "che",
        "Trà Ô long",
        "kg",
        (400_000, 1_200_000),
        &["viên", "thượng hạng"],
        &["Lâm Đồng", "Mộc Châu"],
        2,
    ),
    p("che", "Trà sen", "hop", (300_000, 900_000), &["ướp bông", "hộp quà"], &["Tây Hồ", "Hà Nội"], 1),
    p("che", "Chè vằng", "kg", (60_000, 120_000), &["lá", "cao"], &["Quảng Trị", "Huế"], 1),
    p("che", "Chè dây", "kg", (80_000, 150_000), &["rừng"], &["Cao Bằng", "Hà Giang"], 1),
    p("che", "Trà hoa vàng", "kg", (2_000_000, 5_000_000), &["sấy lạnh", "nụ"], &["Ba Chẽ", "Tam Đảo"], 1),
    // ca-phe
    p(
        "ca-phe",
        "Cà phê Robusta",
        "kg",
        (90_000, 180_000),
        &["rang mộc", "hạt", "bột", "honey"],
        &["Buôn Ma Thuột", "Đắk Lắk", "Gia Lai", "Đắk Mil"],
        6,
    ),
    p(
        "ca-phe",
        "Cà phê Arabica",
        "kg",
        (150_000, 400_000),
        &["rang vừa", "hạt", "chế biến ướt"],
        &["Cầu Đất", "Sơn La", "Khe Sanh"],
        4,
    ),
    p("ca-phe", "Cà phê Culi", "kg", (150_000, 250_000), &["rang mộc", "hạt"], &["Buôn Ma Thuột"], 2),
    p("ca-phe", "Cà phê Moka", "kg", (250_000, 500_000), &["rang mộc"], &["Cầu Đất"], 1),
    p(
        "ca-phe",
        "Cà phê nhân xanh",
        "kg",
        (70_000, 110_000),
        &["sàng 18", "hái chín"],
        &["Đắk Lắk", "Gia Lai"],
        2,
    ),
    // thit
    p(
        "thit",
        "Thịt lợn bản",
        "kg",
        (150_000, 250_000),
        &["thả rông", "lợn mán", "đen"],
        &["Mộc Châu", "Điện Biên", "Hà Giang"],
        5,
    ),
    p("thit", "Lợn cắp nách", "kg", (150_000, 230_000), &["thả đồi"], &["Sơn La", "Lai Châu"], 2),
    p(
        "thit",
        "Thịt trâu gác bếp",
        "kg",
        (900_000, 1_400_000),
        &["hun khói", "xé sợi"],
        &["Sơn La", "Điện Biên"],
        3,
    ),
    p("thit", "Gà đồi", "kg", (110_000, 180_000), &["thả vườn", "mái tơ"], &["Yên Thế", "Bắc Giang"], 4),
    p("thit", "Gà ri", "kg", (120_000, 190_000), &["thả vườn"], &["Phú Thọ", "Hòa Bình"], 2),
    p("thit", "Gà đen", "kg", (200_000, 300_000), &["H'Mông"], &["Hà Giang", "Lào Cai"], 2),
    p("thit", "Vịt bầu", "kg", (70_000, 110_000), &["thả đồng"], &["Quảng Nam", "Hòa Bình"], 2),
    p("thit", "Thịt bò", "kg", (260_000, 380_000), &["vàng", "thả đồi"], &["Mường Khương", "Cao Bằng"], 2),
    p("thit", "Lạp xưởng", "kg", (200_000, 350_000), &["gác bếp", "tươi"], &["Sa Pa", "Cần Đước"], 2),
    p("thit", "Dê núi", "kg", (250_000, 350_000), &["thả đồi"], &["Ninh Bình"], 1),
    // thuy-san
    p(
        "thuy-san",
        "Cá suối",
        "kg",
        (150_000, 300_000),
        &["tươi", "nướng", "gác bếp"],
        &["Sơn La", "Lai Châu"],
        4,
    ),
    p("thuy-san", "Cá trắm", "kg", (60_000, 120_000), &["giòn", "đen"], &["Hải Dương", "Hòa Bình"], 2),
    p("thuy-san", "Cá chép ruộng", "kg", (70_000, 120_000), &["tươi sống"], &["Mù Cang Chải", "Hà Giang"], 2),
    p("thuy-san", "Cá tầm", "kg", (250_000, 400_000), &["tươi sống"], &["Sa Pa"], 2),
    p("thuy-san", "Cá hồi vân", "kg", (300_000, 450_000), &["phi lê", "nguyên con"], &["Sa Pa"], 2),
    p("thuy-san", "Tôm sú", "kg", (250_000, 450_000), &["quảng canh", "size 30"], &["Cà Mau", "Bạc Liêu"], 3),
    p("thuy-san", "Tôm khô", "kg", (600_000, 1_200_000), &["loại 1"], &["Cà Mau"], 2),
    p("thuy-san", "Cua đồng", "kg", (80_000, 150_000), &["tươi sống"], &["Thái Bình", "Nam Định"], 1),
    p("thuy-san", "Ốc nhồi", "kg", (100_000, 180_000), &["to"], &["Ninh Bình"], 1),
    p("thuy-san", "Mực một nắng", "kg", (450_000, 700_000), &["câu"], &["Phan Thiết", "Cô Tô"], 2),
    p(
        "thuy-san",
        "Nước mắm",
        "chai",
        (80_000, 200_000),
        &["nhĩ", "cá cơm", "40 độ đạm"],
        &["Phú Quốc", "Phan Thiết", "Nam Ô"],
        3,
    ),
    p("thuy-san", "Cá lăng", "kg", (200_000, 350_000), &["sông Đà"], &["Hòa Bình", "Tuyên Quang"], 1),
    // trung
    p("trung", "Trứng gà ta", "qua", (3_000, 6_000), &["thả vườn", "tươi"], &["Yên Thế", "Phú Thọ"], 6),
    p("trung", "Trứng vịt", "qua", (3_000, 5_000), &["chạy đồng"], &["Đồng Tháp", "Vĩnh Long"], 3),
    p("trung", "Trứng vịt lộn", "qua", (6_000, 9_000), &["tươi"], &["Vĩnh Long"], 2),
    p("trung", "Trứng cút", "hop", (25_000, 45_000), &["hộp 30 quả"], &["Đồng Nai"], 2),
    p("trung", "Trứng gà ác", "qua", (4_000, 8_000), &["tươi"], &["Hưng Yên"], 1),
    p("trung", "Trứng ngỗng", "qua", (20_000, 35_000), &["tươi"], &["Hà Nam"], 1),
    // nam
    p(
        "nam",
        "Nấm hương",
        "kg",
        (300_000, 600_000),
        &["rừng", "khô", "gác bếp"],
        &["Sa Pa", "Bắc Kạn", "Cao Bằng"],
        6,
    ),
    p("nam", "Mộc nhĩ", "kg", (150_000, 300_000), &["rừng", "khô"], &["Sơn La", "Bắc Kạn"], 4),
    p(
        "nam",
        "Nấm linh chi",
        "kg",
        (800_000, 3_000_000),
        &["đỏ", "rừng", "thái lát"],
        &["Hà Giang", "Kon Tum"],
        2,
    ),
    p("nam", "Nấm sò", "kg", (40_000, 70_000), &["tươi"], &["Hải Dương", "Bắc Ninh"], 2),
    p("nam", "Nấm rơm", "kg", (60_000, 110_000), &["tươi"], &["Đồng Tháp", "Sóc Trăng"], 2),
    p("nam", "Nấm đùi gà", "kg", (70_000, 110_000), &["tươi"], &["Đà Lạt"], 1),
    // gia-vi
    p(
        "gia-vi",
        "Quế",
        "kg",
        (40_000, 120_000),
        &["vỏ", "thanh", "cuộn"],
        &["Yên Bái", "Văn Yên", "Trà My"],
        5,
    ),
    p("gia-vi", "Hồi", "kg", (120_000, 250_000), &["khô", "hoa"], &["Lạng Sơn", "Cao Bằng"], 4),
    p("gia-vi", "Thảo quả", "kg", (200_000, 400_000), &["khô"], &["Hoàng Liên Sơn", "Bát Xát"], 3),
    p("gia-vi", "Mắc khén", "kg", (250_000, 450_000), &["rừng"], &["Sơn La", "Điện Biên"], 2),
    p("gia-vi", "Hạt dổi", "kg", (1_500_000, 3_000_000), &["rừng"], &["Sơn La", "Hòa Bình"], 1),
    p("gia-vi", "Tiêu đen", "kg", (120_000, 220_000), &["sọ", "hạt"], &["Phú Quốc", "Chư Sê"], 3),
    p("gia-vi", "Tỏi Lý Sơn", "kg", (100_000, 180_000), &["cô đơn", "khô"], &["Quảng Ngãi"], 2),
    p("gia-vi", "Hành tím", "kg", (40_000, 80_000), &["khô"], &["Vĩnh Châu", "Lý Sơn"], 2),
    p("gia-vi", "Gừng", "kg", (20_000, 45_000), &["già", "gừng trâu"], &["Cao Bằng", "Quảng Nam"], 2),
    p("gia-vi", "Tinh bột nghệ", "kg", (250_000, 450_000), &["nguyên chất"], &["Nghệ An", "Hưng Yên"], 2),
    p("gia-vi", "Ớt", "kg", (30_000, 60_000), &["chỉ thiên", "khô"], &["Quảng Ngãi", "Đồng Tháp"], 1),
    // mat-ong
    p(
        "mat-ong",
        "Mật ong bạc hà",
        "l",
        (400_000, 700_000),
        &["nguyên chất", "vụ mới"],
        &["Hà Giang", "Mèo Vạc", "Đồng Văn"],
        5,
    ),
    p(
        "mat-ong",
        "Mật ong rừng",
        "l",
        (500_000, 900_000),
        &["nguyên chất", "khoái"],
        &["Tây Bắc", "U Minh"],
        4,
    ),
    p("mat-ong", "Mật ong hoa nhãn", "l", (200_000, 350_000), &["nguyên chất"], &["Hưng Yên"], 3),
    p("mat-ong", "Mật ong hoa cà phê", "l", (180_000, 300_000), &["nguyên chất"], &["Đắk Lắk"], 2),
    p("mat-ong", "Mật ong hoa vải", "l", (200_000, 350_000), &["nguyên chất"], &["Lục Ngạn"], 2),
    p("mat-ong", "Sáp ong", "kg", (200_000, 400_000), &["nguyên chất"], &["Hà Giang"], 1),
    p("mat-ong", "Phấn hoa", "kg", (300_000, 500_000), &["khô"], &["Mộc Châu"], 1),
    // duoc-lieu
    p(
        "duoc-lieu",
        "Sâm Ngọc Linh",
        "kg",
        (60_000_000, 180_000_000),
        &["củ tươi", "trồng dưới tán rừng"],
        &["Kon Tum", "Quảng Nam"],
        1,
    ),
    p(
        "duoc-lieu",
        "Sâm Bố Chính",
        "kg",
        (300_000, 700_000),
        &["củ khô", "thái lát"],
        &["Quảng Trị", "Quảng Bình"],
        2,
    ),
    p("duoc-lieu", "Sâm dây", "kg", (300_000, 600_000), &["khô"], &["Ngọc Linh", "Lào Cai"], 2),
    p("duoc-lieu", "Đinh lăng", "kg", (30_000, 80_000), &["củ", "lá"], &["Nam Định", "Phú Thọ"], 3),
    p("duoc-lieu", "Tam thất", "kg", (1_000_000, 2_500_000), &["bắc", "củ"], &["Hà Giang", "Lào Cai"], 2),
    p("duoc-lieu", "Hà thủ ô", "kg", (150_000, 300_000), &["đỏ", "chế"], &["Hà Giang", "Lào Cai"], 2),
    p("duoc-lieu", "Atiso", "kg", (150_000, 300_000), &["sấy khô", "bông"], &["Đà Lạt", "Sa Pa"], 2),
    p("duoc-lieu", "Giảo cổ lam", "kg", (150_000, 250_000), &["5 lá", "khô"], &["Hòa Bình", "Sa Pa"], 2),
    p("duoc-lieu", "Cà gai leo", "kg", (80_000, 150_000), &["khô"], &["Hà Nội", "Nghệ An"], 2),
    p("duoc-lieu", "Ba kích", "kg", (300_000, 600_000), &["tím", "rừng"], &["Quảng Ninh", "Ba Chẽ"], 2),
    // khac
    p("khac", "Chè lam", "hop", (30_000, 60_000), &["gừng", "Phủ Quảng"], &["Thạch Thất", "Nghệ An"], 2),
    p("khac", "Mật mía", "kg", (40_000, 80_000), &["nguyên chất"], &["Quảng Ngãi", "Nghệ An"], 2),
    p("khac", "Đường phèn", "kg", (50_000, 90_000), &["vàng", "nguyên chất"], &["Quảng Ngãi"], 1),
    p("khac", "Miến dong", "kg", (70_000, 120_000), &["sợi nhỏ"], &["Bình Liêu", "Bắc Kạn"], 2),
    p(
        "khac",
        "Bánh chưng",
        "qua",
        (50_000, 120_000),
        &["lá dong", "nếp nương"],
        &["Tranh Khúc", "Hà Giang"],
        2,
    ),
    p("khac", "Cốm", "kg", (200_000, 350_000), &["làng Vòng", "cốm dẹt"], &["Hà Nội", "Mễ Trì"], 1),
    p("khac", "Tinh dầu quế", "chai", (100_000, 250_000), &["nguyên chất"], &["Yên Bái", "Trà My"], 1),
];

/// How often sellers have their main business in each category.
pub const CATEGORY_WEIGHTS: &[(&str, u32)] = &[
    ("rau", 14),
    ("qua", 16),
    ("gao", 10),
    ("che", 10),
    ("ca-phe", 6),
    ("thit", 9),
    ("thuy-san", 7),
    ("trung", 5),
    ("nam", 5),
    ("gia-vi", 6),
    ("mat-ong", 5),
    ("duoc-lieu", 4),
    ("khac", 3),
];

/// Words of quality sellers put in titles.
pub const GRADES: &[&str] = &[
    "loại 1",
    "loại đặc biệt",
    "hàng tuyển",
    "VietGAP",
    "hữu cơ",
    "OCOP 4 sao",
    "OCOP 3 sao",
    "xuất khẩu",
    "nhà làm",
    "chính gốc",
];

/// How it is packed or sent.
pub const PACKINGS: &[&str] =
    &["đóng túi zip", "hút chân không", "hộp quà", "đóng thùng", "giao tận nơi", "đóng bao", "túi lưới"];

/// One sentence about the produce, by category.
pub fn notes(category: &str) -> &'static [&'static str] {
    match category {
        "rau" => &[
            "Rau trồng trên nương, không phun thuốc, hái buổi sáng giao buổi chiều.",
            "Tưới bằng nước suối, bón phân chuồng hoai mục.",
            "Thu hoạch đúng vụ, không dùng thuốc kích thích.",
        ],
        "qua" => &[
            "Quả để chín trên cây mới hái, vỏ mỏng, nhiều nước.",
            "Vườn đạt chứng nhận VietGAP, có tem truy xuất nguồn gốc.",
            "Đóng thùng xốp có lót giấy, đi xa không dập.",
        ],
        "gao" => &[
            "Lúa gặt tay, phơi nắng, xay xát trong tuần.",
            "Hạt dài, cơm dẻo thơm, để nguội không cứng.",
            "Ruộng bậc thang nước suối, mỗi năm một vụ.",
        ],
        "che" => &[
            "Búp hái tay lúc sáng sớm, sao bằng chảo gang.",
            "Nước xanh vàng, vị chát dịu, hậu ngọt lâu.",
            "Cây chè cổ thụ hàng trăm năm tuổi trên núi cao sương mù.",
        ],
        "ca-phe" => &[
            "Hái chín chọn lọc, phơi giàn, rang mộc không tẩm.",
            "Vị đậm, đắng nhẹ, hậu vị sô cô la.",
            "Rang theo đơn, xay sẵn nếu khách cần.",
        ],
        "thit" => &[
            "Nuôi thả đồi, ăn cám ngô và rau rừng, thịt chắc.",
            "Giết mổ tại chỗ có kiểm dịch, cấp đông giao đi xa.",
            "Thịt thơm, chắc, không dùng cám tăng trọng.",
        ],
        "thuy-san" => &[
            "Đánh bắt trong ngày, sơ chế sạch, cấp đông ngay.",
            "Nuôi trong nước suối lạnh, thịt chắc ngọt.",
            "Đóng túi hút chân không, giữ lạnh khi vận chuyển.",
        ],
        "trung" => &[
            "Gà thả vườn ăn thóc, lòng đỏ đậm.",
            "Trứng nhặt trong ngày, đóng khay giấy.",
            "Trứng to đều, vỏ sạch, không dùng chất bảo quản.",
        ],
        "nam" => &[
            "Nấm hái trên thân gỗ mục trong rừng, sấy bằng than củi.",
            "Trồng trong nhà màng, không hóa chất.",
            "Mũ dày, thơm, ngâm nở to.",
        ],
        "gia-vi" => &[
            "Phơi nắng tự nhiên, không sấy lưu huỳnh.",
            "Thu hái trên rừng già, tinh dầu thơm đậm.",
            "Thái lát, sấy khô, đóng gói trong ngày.",
        ],
        "mat-ong" => &[
            "Ong nuôi tại vườn nhà, quay mật khi vít nắp.",
            "Mật đặc, thơm mùi hoa, không pha đường.",
            "Có phiếu kiểm nghiệm độ ẩm và đường khử.",
        ],
        "duoc-lieu" => &[
            "Trồng dưới tán rừng, thu hoạch đúng tuổi.",
            "Phơi âm can, giữ nguyên dược tính.",
            "Có giấy chứng nhận nguồn gốc của hợp tác xã.",
        ],
        _ => &[
            "Làm thủ công theo cách của làng nghề.",
            "Nguyên liệu trồng tại địa phương.",
            "Đóng hộp đẹp, làm quà biếu.",
        ],
    }
}

/// Last sentences any seller may add.
pub const CLOSINGS: &[&str] = &[
    "Giao hàng toàn quốc qua bưu điện.",
    "Nhận đơn sỉ cho cửa hàng và quán ăn.",
    "Hàng mới thu hoạch, đóng gói trong ngày.",
    "Có giấy chứng nhận an toàn thực phẩm.",
    "Liên hệ trước khi đặt số lượng lớn.",
    "Bưu điện xã nhận hàng tận nhà.",
];

/// What a farm of the category calls itself (`HTX chè …`).
pub fn trade(category: &str) -> &'static str {
    match category {
        "rau" => "rau sạch",
        "qua" => "cây ăn quả",
        "gao" => "lúa gạo",
        "che" => "chè",
        "ca-phe" => "cà phê",
        "thit" => "chăn nuôi",
        "thuy-san" => "thủy sản",
        "trung" => "gà vịt",
        "nam" => "nấm",
        "gia-vi" => "quế hồi",
        "mat-ong" => "nuôi ong",
        "duoc-lieu" => "dược liệu",
        _ => "nông sản",
    }
}

pub const FAMILY_NAMES: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Mai", "Trịnh", "Lương",
];
pub const MIDDLE_MEN: &[&str] = &["Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Công"];
pub const MIDDLE_WOMEN: &[&str] = &["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng"];
pub const GIVEN_MEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng",
    "Tuấn", "Việt", "Thào", "Chiến", "Toàn", "Lợi", "Tài",
];
pub const GIVEN_WOMEN: &[&str] = &[
    "Anh", "Dung", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Nhung", "Oanh", "Phương",
    "Thảo", "Trang", "Tuyết", "Vân", "Yến", "Lụa", "Hiền",
];

/// Northern mountain provinces, where many farmers are H'Mông, Dao,
/// Thái or Tày: Cao Bằng, Tuyên Quang, Điện Biên, Lai Châu, Sơn La,
/// Lào Cai, Lạng Sơn.
pub const NORTHERN_HIGHLANDS: &[&str] = &["04", "08", "11", "12", "14", "15", "20"];
pub const HIGHLAND_FAMILY_NAMES: &[&str] =
    &["Giàng", "Vàng", "Sùng", "Lò", "Lù", "Hầu", "Thào", "Ma", "Nông", "Lường", "Cầm", "Triệu"];
pub const HIGHLAND_MIDDLE: &[&str] = &["A", "Seo", "Văn", "Thị", "Mí"];
pub const HIGHLAND_GIVEN: &[&str] =
    &["Sử", "Páo", "Dền", "Chư", "Lềnh", "Pánh", "Mai", "Súa", "Dính", "Chá", "Xây", "Tủa", "Sình", "Pó"];

/// Central Highlands (Đắk Lắk, Gia Lai): Ê Đê and Gia Rai names.
pub const CENTRAL_HIGHLANDS: &[&str] = &["52", "66"];
pub const CENTRAL_FAMILY_NAMES: &[&str] = &["Êban", "Niê", "Mlô", "Ksor", "Rơ Châm", "Siu", "Byă"];
pub const CENTRAL_GIVEN_MEN: &[&str] = &["Y Bhin", "Y Kông", "Y Thông", "Y Djuan", "Y Ngông"];
pub const CENTRAL_GIVEN_WOMEN: &[&str] = &["H'Hen", "H'Bia", "H'Linh", "H'Nhi", "H'Luyến"];
