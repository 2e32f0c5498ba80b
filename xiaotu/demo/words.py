"""Word lists the demo school is made of: names, publishers, vendors, known titles, title pools per 中图法 class."""

from __future__ import annotations

from dataclasses import dataclass, field

# --- People -------------------------------------------------------------------------------------------------------

# Common surnames, most frequent first (the generator weights them by position); a few two-character ones at the end.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤常温康施文牛樊葛邢安齐易乔"
)
RARE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")

# Given-name characters of children born 2010–2020 and of adults born 1965–1995.
BOY_CHARS = "子梓浩宇轩睿博泽俊一铭皓涵晨辰航逸然哲明杰昊煜宸瑞霖诚豪鑫嘉翔阳彦烨恒锦骏凯峻文言奕佑昕乐安沐楷希宁天朗"
GIRL_CHARS = "欣怡梓涵雨萱诗琪思可馨佳悦若语依一梦晨雅婉紫彤静子妍瑶琳菲薇晴欢芮璐淑朵锦汐桐沫钰安宁心乐诺溪月蕊"
MAN_CHARS = "伟强磊军洋勇杰涛明超刚华辉鹏波斌宁建国志平东峰林海文亮斌飞军民永庆春立新宏伟俊德"
WOMAN_CHARS = "芳娜敏静丽艳娟霞平红玲萍雪琳颖婷慧梅燕丹洁英华秀兰凤琴云莉倩璐晶佳晓红"

# Translated names for foreign authors, by the country mark a Chinese record puts before them.
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "美": (
        (
            "艾米莉",
            "杰克",
            "汤姆",
            "莉莉",
            "詹姆斯",
            "凯特",
            "苏珊",
            "彼得",
            "露西",
            "约翰",
            "玛丽",
            "本",
            "安娜",
            "乔治",
        ),
        ("史密斯", "布朗", "怀特", "格林", "泰勒", "卡特", "米勒", "戴维斯", "威尔逊", "安德森", "柯林斯", "贝克"),
    ),
    "英": (
        ("奥利弗", "哈利", "艾玛", "夏洛特", "威廉", "索菲", "亨利", "爱丽丝", "托马斯", "露易丝"),
        ("琼斯", "霍尔", "沃克", "赖特", "罗宾逊", "伍德", "哈里斯", "克拉克", "休斯", "爱德华兹"),
    ),
    "法": (
        ("让", "克莱尔", "皮埃尔", "玛丽", "路易", "苏菲", "雅克", "卡米耶", "朱利安", "伊莎贝尔"),
        ("杜邦", "马丁", "勒布朗", "贝尔纳", "杜兰", "莫罗", "罗兰", "福尔", "佩兰", "博纳尔"),
    ),
    "德": (
        ("汉斯", "安娜", "克劳斯", "莉娜", "弗里茨", "玛丽亚", "卡尔", "海伦娜"),
        ("穆勒", "施密特", "施耐德", "菲舍尔", "韦伯", "迈尔", "瓦格纳", "贝克尔"),
    ),
    "日": (
        ("佐藤", "铃木", "高桥", "田中", "渡边", "伊藤", "山本", "中村", "小林", "加藤", "宫本", "松本"),
        ("美穗", "由纪", "健太", "翔太", "阳菜", "葵", "春香", "裕子", "真理子", "和也", "直子", "浩二"),
    ),
}

# --- Publishers and vendors -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    name: str
    place: str
    # The publisher's prefix inside ISBN group 7 (978-7-…); the demo numbers titles after it.
    isbn_prefix: str
    kinds: frozenset[str] = field(default_factory=frozenset)


def _publisher(name: str, place: str, prefix: str, kinds: str) -> Publisher:
    return Publisher(name, place, prefix, frozenset(kinds.split()))


# kinds: children (少儿), literature, science, classics, education, reference, art, foreign, picture
PUBLISHERS = (
    _publisher("人民文学出版社", "北京", "02", "literature classics foreign"),
    _publisher("少年儿童出版社", "上海", "5324", "children science picture"),
    _publisher("接力出版社", "南宁", "5448", "children foreign picture"),
    _publisher("二十一世纪出版社", "南昌", "5391", "children picture foreign"),
    _publisher("中国少年儿童出版社", "北京", "5148", "children science classics"),
    _publisher("科学普及出版社", "北京", "110", "science"),
    _publisher("中华书局", "北京", "101", "classics history"),
    _publisher("商务印书馆", "北京", "100", "reference classics history foreign"),
    _publisher("人民教育出版社", "北京", "107", "education classics"),
    _publisher("浙江少年儿童出版社", "杭州", "5342", "children picture"),
    _publisher("长江少年儿童出版社", "武汉", "5560", "children science"),
    _publisher("明天出版社", "济南", "5332", "children picture foreign"),
    _publisher("天天出版社", "北京", "5016", "children literature"),
    _publisher("江苏凤凰少年儿童出版社", "南京", "5584", "children picture"),
    _publisher("北京少年儿童出版社", "北京", "5301", "children classics"),
    _publisher("湖南少年儿童出版社", "长沙", "5562", "children science"),
    _publisher("新蕾出版社", "天津", "5307", "children foreign"),
    _publisher("译林出版社", "南京", "5447", "foreign literature"),
    _publisher("上海译文出版社", "上海", "5327", "foreign literature"),
    _publisher("作家出版社", "北京", "5063", "literature"),
    _publisher("人民美术出版社", "北京", "102", "art"),
    _publisher("人民音乐出版社", "北京", "103", "art"),
    _publisher("科学出版社", "北京", "03", "science"),
    _publisher("电子工业出版社", "北京", "121", "science"),
    _publisher("清华大学出版社", "北京", "302", "science education"),
    _publisher("北京师范大学出版社", "北京", "303", "education"),
    _publisher("华东师范大学出版社", "上海", "5760", "education"),
    _publisher("教育科学出版社", "北京", "5191", "education"),
    _publisher("上海辞书出版社", "上海", "5326", "reference"),
    _publisher("四川辞书出版社", "成都", "5579", "reference"),
    _publisher("中国大百科全书出版社", "北京", "5202", "reference science history"),
    _publisher("中国地图出版社", "北京", "5204", "reference"),
    _publisher("外语教学与研究出版社", "北京", "5213", "reference education foreign"),
    _publisher("人民邮电出版社", "北京", "115", "science"),
    _publisher("河北教育出版社", "石家庄", "5434", "picture education"),
    _publisher("南海出版公司", "海口", "5442", "foreign literature"),
    _publisher("中国青年出版社", "北京", "5153", "literature history"),
    _publisher("人民出版社", "北京", "01", "politics"),
    _publisher("法律出版社", "北京", "5197", "politics"),
    _publisher("人民体育出版社", "北京", "5009", "education"),
    _publisher("北京十月文艺出版社", "北京", "5302", "literature"),
    _publisher("重庆出版社", "重庆", "229", "literature"),
)
PUBLISHER_BY_NAME = {p.name: p for p in PUBLISHERS}

# 馆配商 — the book suppliers that deliver to school libraries.
VENDORS = (
    "新华书店馆配中心",
    "北京人天书店有限公司",
    "湖北三新文化传媒有限公司",
    "浙江新华书店集团有限公司",
    "江苏凤凰新华书店集团有限公司",
    "北京百万庄图书大厦",
)

# Current periodicals (现刊): title, publisher, issues a year; the teachers' own journals last.
PERIODICALS = (
    ("儿童文学", "中国少年儿童新闻出版总社", 12, "I287"),
    ("少年文艺", "少年儿童出版社", 12, "I287"),
    ("我们爱科学", "中国少年儿童新闻出版总社", 24, "N49"),
    ("中国少年儿童", "中国少年儿童新闻出版总社", 12, "G62"),
    ("故事大王", "少年儿童出版社", 12, "I287"),
    ("童话大王", "浙江少年儿童出版社", 12, "I287"),
    ("小猕猴智力画刊", "湖南少年儿童出版社", 12, "G61"),
    ("少年科学画报", "北京少年儿童出版社", 12, "N49"),
    ("米老鼠", "童趣出版有限公司", 24, "J238"),
    ("中国国家地理", "中国国家地理杂志社", 12, "K92"),
    ("博物", "中国国家地理杂志社", 12, "N49"),
    ("知识就是力量", "中国科学技术协会", 12, "N49"),
    ("作文大王", "长江少年儿童出版社", 12, "G624"),
    ("中学生", "中国少年儿童新闻出版总社", 12, "G63"),
    ("读者", "读者出版集团", 24, "Z62"),
    ("人民教育", "人民教育出版社", 24, "G62"),
    ("小学语文教师", "上海教育出版社", 12, "G623.2"),
    ("中小学图书情报世界", "首都师范大学出版社", 12, "G258"),
)
TEACHER_PERIODICALS = frozenset({"人民教育", "小学语文教师", "中小学图书情报世界"})

# --- Well-known titles ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownTitle:
    title: str
    # "吴承恩 著", "[法]圣埃克苏佩里 著；周克希 译": name and role, the way a record states responsibility.
    by: str
    clc: str
    publisher: str
    category: str = "book"  # book, picture, reference
    level: str = "all"  # primary, junior or all: who the title is bought for


# Titles every school library holds; the classics also come in several editions (see EDITIONS).
KNOWN_TITLES = (
    KnownTitle("西游记", "吴承恩 著", "I242.4", "人民文学出版社"),
    KnownTitle("水浒传", "施耐庵 著", "I242.4", "人民文学出版社"),
    KnownTitle("三国演义", "罗贯中 著", "I242.4", "人民文学出版社"),
    KnownTitle("红楼梦", "曹雪芹 著；高鹗 续", "I242.4", "人民文学出版社"),
    KnownTitle("儒林外史", "吴敬梓 著", "I242.4", "人民文学出版社", level="junior"),
    KnownTitle("聊斋志异选", "蒲松龄 著", "I242.1", "人民文学出版社"),
    KnownTitle("十万个为什么", "韩启德 总主编", "Z228.1", "少年儿童出版社"),
    KnownTitle("草房子", "曹文轩 著", "I287.45", "天天出版社"),
    KnownTitle("青铜葵花", "曹文轩 著", "I287.45", "天天出版社"),
    KnownTitle("山羊不吃天堂草", "曹文轩 著", "I287.45", "天天出版社"),
    KnownTitle("昆虫记", "[法]法布尔 著；陈筱卿 译", "Q96-49", "人民教育出版社"),
    KnownTitle("小王子", "[法]圣埃克苏佩里 著；周克希 译", "I565.88", "人民文学出版社"),
    KnownTitle("海底两万里", "[法]儒勒·凡尔纳 著；赵克非 译", "I565.44", "人民文学出版社"),
    KnownTitle("八十天环游地球", "[法]儒勒·凡尔纳 著", "I565.44", "译林出版社"),
    KnownTitle("窗边的小豆豆", "[日]黑柳彻子 著；赵玉皎 译", "I313.88", "南海出版公司"),
    KnownTitle("城南旧事", "林海音 著", "I247.5", "北京少年儿童出版社"),
    KnownTitle("骆驼祥子", "老舍 著", "I246.5", "人民文学出版社"),
    KnownTitle("朝花夕拾", "鲁迅 著", "I210.4", "人民文学出版社"),
    KnownTitle("呐喊", "鲁迅 著", "I210.6", "人民文学出版社", level="junior"),
    KnownTitle("繁星·春水", "冰心 著", "I226", "人民文学出版社"),
    KnownTitle("寄小读者", "冰心 著", "I266", "人民文学出版社"),
    KnownTitle("稻草人", "叶圣陶 著", "I287.7", "人民文学出版社"),
    KnownTitle("大林和小林", "张天翼 著", "I287.7", "中国少年儿童出版社"),
    KnownTitle("宝葫芦的秘密", "张天翼 著", "I287.45", "中国少年儿童出版社"),
    KnownTitle("小坡的生日", "老舍 著", "I287.45", "人民文学出版社"),
    KnownTitle("小英雄雨来", "管桦 著", "I287.45", "中国少年儿童出版社"),
    KnownTitle("小兵张嘎", "徐光耀 著", "I287.45", "人民文学出版社"),
    KnownTitle("闪闪的红星", "李心田 著", "I287.45", "中国少年儿童出版社"),
    KnownTitle("没头脑和不高兴", "任溶溶 著", "I287.7", "浙江少年儿童出版社"),
    KnownTitle("小猪唏哩呼噜", "孙幼军 著", "I287.7", "二十一世纪出版社"),
    KnownTitle("笨狼的故事", "汤素兰 著", "I287.7", "湖南少年儿童出版社"),
    KnownTitle("小巴掌童话", "张秋生 著", "I287.7", "少年儿童出版社"),
    KnownTitle("皮皮鲁传", "郑渊洁 著", "I287.7", "二十一世纪出版社"),
    KnownTitle("舒克和贝塔历险记", "郑渊洁 著", "I287.7", "二十一世纪出版社"),
    KnownTitle("淘气包马小跳：贪玩老爸", "杨红樱 著", "I287.45", "接力出版社", level="primary"),
    KnownTitle("淘气包马小跳：笨女孩安琪儿", "杨红樱 著", "I287.45", "接力出版社", level="primary"),
    KnownTitle("笑猫日记：保姆狗的阴谋", "杨红樱 著", "I287.45", "明天出版社", level="primary"),
    KnownTitle("狼王梦", "沈石溪 著", "I287.45", "浙江少年儿童出版社"),
    KnownTitle("第七条猎狗", "沈石溪 著", "I287.45", "浙江少年儿童出版社"),
    KnownTitle("男生贾里", "秦文君 著", "I287.45", "少年儿童出版社"),
    KnownTitle("女生贾梅", "秦文君 著", "I287.45", "少年儿童出版社"),
    KnownTitle("我要做好孩子", "黄蓓佳 著", "I287.45", "江苏凤凰少年儿童出版社", level="primary"),
    KnownTitle("小灵通漫游未来", "叶永烈 著", "I287.45", "少年儿童出版社"),
    KnownTitle("爱的教育", "[意]亚米契斯 著；夏丏尊 译", "I546.44", "人民文学出版社"),
    KnownTitle("钢铁是怎样炼成的", "[苏]奥斯特洛夫斯基 著；梅益 译", "I512.44", "人民文学出版社", level="junior"),
    KnownTitle("童年", "[苏]高尔基 著；刘辽逸 译", "I512.44", "人民文学出版社"),
    KnownTitle("汤姆·索亚历险记", "[美]马克·吐温 著；张友松 译", "I712.44", "人民文学出版社"),
    KnownTitle("鲁滨逊漂流记", "[英]笛福 著；徐霞村 译", "I561.44", "人民文学出版社"),
    KnownTitle("格列佛游记", "[英]斯威夫特 著；张健 译", "I561.44", "人民文学出版社"),
    KnownTitle("简·爱", "[英]夏洛蒂·勃朗特 著；吴钧燮 译", "I561.44", "人民文学出版社", level="junior"),
    KnownTitle("骑鹅旅行记", "[瑞典]塞尔玛·拉格洛夫 著；石琴娥 译", "I532.88", "译林出版社"),
    KnownTitle("夏洛的网", "[美]E.B.怀特 著；任溶溶 译", "I712.84", "上海译文出版社"),
    KnownTitle("吹小号的天鹅", "[美]E.B.怀特 著；任溶溶 译", "I712.84", "上海译文出版社"),
    KnownTitle("精灵鼠小弟", "[美]E.B.怀特 著；任溶溶 译", "I712.84", "上海译文出版社"),
    KnownTitle("绿野仙踪", "[美]弗兰克·鲍姆 著", "I712.84", "译林出版社"),
    KnownTitle("爱丽丝漫游奇境", "[英]刘易斯·卡罗尔 著；王永年 译", "I561.84", "人民文学出版社"),
    KnownTitle("柳林风声", "[英]肯尼斯·格雷厄姆 著；杨静远 译", "I561.84", "人民文学出版社"),
    KnownTitle("木偶奇遇记", "[意]科洛迪 著；任溶溶 译", "I546.88", "人民文学出版社"),
    KnownTitle("格林童话", "[德]格林兄弟 著；杨武能 译", "I516.88", "人民文学出版社"),
    KnownTitle("安徒生童话", "[丹麦]安徒生 著；叶君健 译", "I534.88", "人民文学出版社"),
    KnownTitle("伊索寓言", "[古希腊]伊索 著；罗念生 译", "I545.74", "人民文学出版社"),
    KnownTitle("一千零一夜", "纳训 译", "I371.73", "人民文学出版社"),
    KnownTitle("长袜子皮皮", "[瑞典]林格伦 著；李之义 译", "I532.84", "中国少年儿童出版社"),
    KnownTitle("时代广场的蟋蟀", "[美]乔治·塞尔登 著；傅湘雯 译", "I712.84", "新蕾出版社"),
    KnownTitle("森林报", "[苏]比安基 著；王汶 译", "I512.84", "中国少年儿童出版社"),
    KnownTitle("中国神话故事", "袁珂 编著", "I277.5", "中华书局"),
    KnownTitle("中国古代寓言故事", "鲁兵 编", "I276.8", "中国少年儿童出版社"),
    KnownTitle("中国民间故事", "刘守华 编", "I277.3", "长江少年儿童出版社"),
    KnownTitle("唐诗三百首", "蘅塘退士 编", "I222.742", "中华书局"),
    KnownTitle("宋词三百首", "上彊村民 编", "I222.844", "中华书局"),
    KnownTitle("千家诗", "谢枋得 王相 选编", "I222.72", "中华书局"),
    KnownTitle("论语译注", "杨伯峻 译注", "B222.2", "中华书局"),
    KnownTitle("三字经", "王应麟 著", "H194.1", "中华书局", level="primary"),
    KnownTitle("弟子规", "李毓秀 著", "H194.1", "中华书局", level="primary"),
    KnownTitle("上下五千年", "林汉达 曹余章 著", "K209", "少年儿童出版社"),
    KnownTitle("写给儿童的中国历史", "陈卫平 著", "K209", "天天出版社", level="primary"),
    KnownTitle("人类的故事", "[美]房龙 著；刘缘子 译", "K109", "人民文学出版社"),
    KnownTitle("万物简史", "[美]比尔·布莱森 著；严维明 译", "N49", "接力出版社"),
    KnownTitle("时间简史", "[英]霍金 著；许明贤 译", "P159-49", "湖南少年儿童出版社", level="junior"),
    KnownTitle("细菌世界历险记", "高士其 著", "Q939-49", "中国少年儿童出版社"),
    KnownTitle("灰尘的旅行", "高士其 著", "N49", "中国少年儿童出版社"),
    KnownTitle("数学家的眼光", "张景中 著", "O1-49", "中国少年儿童出版社"),
    KnownTitle("傅雷家书", "傅雷 著", "I266", "人民文学出版社", level="junior"),
    KnownTitle("红星照耀中国", "[美]埃德加·斯诺 著；董乐山 译", "K265", "人民文学出版社", level="junior"),
    KnownTitle("艾青诗选", "艾青 著", "I227", "人民文学出版社", level="junior"),
    KnownTitle("名人传", "[法]罗曼·罗兰 著；傅雷 译", "K815.7", "人民文学出版社", level="junior"),
    KnownTitle("雷锋的故事", "陈广生 著", "K828.2", "中国少年儿童出版社"),
    KnownTitle("红岩", "罗广斌 杨益言 著", "I247.5", "中国青年出版社", level="junior"),
    KnownTitle("平凡的世界", "路遥 著", "I247.5", "北京十月文艺出版社", level="junior"),
    KnownTitle("边城", "沈从文 著", "I246.5", "人民文学出版社", level="junior"),
    KnownTitle("三体", "刘慈欣 著", "I247.55", "重庆出版社", level="junior"),
    KnownTitle("毛泽东诗词选", "毛泽东 著", "A44", "人民文学出版社"),
    # 绘本
    KnownTitle("猜猜我有多爱你", "[英]山姆·麦克布雷尼 文；梅子涵 译", "I561.85", "明天出版社", "picture", "primary"),
    KnownTitle("好饿的毛毛虫", "[美]艾瑞·卡尔 著；郑明进 译", "I712.85", "明天出版社", "picture", "primary"),
    KnownTitle("大卫，不可以", "[美]大卫·香农 著；余治莹 译", "I712.85", "河北教育出版社", "picture", "primary"),
    KnownTitle("我爸爸", "[英]安东尼·布朗 著；余治莹 译", "I561.85", "河北教育出版社", "picture", "primary"),
    KnownTitle("我妈妈", "[英]安东尼·布朗 著；余治莹 译", "I561.85", "河北教育出版社", "picture", "primary"),
    KnownTitle("母鸡萝丝去散步", "[英]佩特·哈群斯 著；上谊编辑部 译", "I561.85", "明天出版社", "picture", "primary"),
    KnownTitle("逃家小兔", "[美]玛格丽特·怀兹·布朗 著；黄迺毓 译", "I712.85", "明天出版社", "picture", "primary"),
    KnownTitle("晚安，月亮", "[美]玛格丽特·怀兹·布朗 著；阿甲 译", "I712.85", "明天出版社", "picture", "primary"),
    KnownTitle("爷爷一定有办法", "[加]菲比·吉尔曼 著；宋珮 译", "I711.85", "明天出版社", "picture", "primary"),
    KnownTitle("花婆婆", "[美]芭芭拉·库尼 著；方素珍 译", "I712.85", "河北教育出版社", "picture", "primary"),
    KnownTitle("小蓝和小黄", "[美]李欧·李奥尼 著；彭懿 译", "I712.85", "明天出版社", "picture", "primary"),
    KnownTitle("鳄鱼怕怕牙医怕怕", "[日]五味太郎 著；上谊编辑部 译", "I313.85", "明天出版社", "picture", "primary"),
    KnownTitle("14只老鼠吃早餐", "[日]岩村和朗 著；彭懿 译", "I313.85", "接力出版社", "picture", "primary"),
    KnownTitle("团圆", "余丽琼 文；朱成梁 图", "I287.8", "明天出版社", "picture", "primary"),
    KnownTitle("一园青菜成了精", "周翔 编绘", "I287.8", "明天出版社", "picture", "primary"),
    KnownTitle("荷花镇的早市", "周翔 著", "I287.8", "明天出版社", "picture", "primary"),
    KnownTitle("安的种子", "王早早 文；黄丽 图", "I287.8", "河北教育出版社", "picture", "primary"),
    KnownTitle("老鼠娶新娘", "张玲玲 文；刘宗慧 图", "I287.8", "明天出版社", "picture", "primary"),
    KnownTitle("小房子", "[美]维吉尼亚·李·伯顿 著；阿甲 译", "I712.85", "二十一世纪出版社", "picture", "primary"),
    KnownTitle("野兽国", "[美]莫里斯·桑达克 著；宋珮 译", "I712.85", "二十一世纪出版社", "picture", "primary"),
    KnownTitle("我的情绪小怪兽", "[西]安娜·耶纳斯 著；叶淑吟 译", "I551.85", "接力出版社", "picture", "primary"),
    KnownTitle(
        "不一样的卡梅拉：我想去看海",
        "[法]克利斯提昂·约里波瓦 著；郑迪蔚 译",
        "I565.85",
        "二十一世纪出版社",
        "picture",
        "primary",
    ),
    KnownTitle(
        "青蛙弗洛格的成长故事", "[荷]麦克斯·维尔修思 著；杨玲玲 译", "I563.85", "明天出版社", "picture", "primary"
    ),
    KnownTitle("獾的礼物", "[英]苏珊·华莱 著；杨玲玲 译", "I561.85", "明天出版社", "picture", "primary"),
    KnownTitle("活了100万次的猫", "[日]佐野洋子 著；唐亚明 译", "I313.85", "接力出版社", "picture", "primary"),
    KnownTitle("蚯蚓的日记", "[美]朵琳·克罗宁 著；陈宏淑 译", "I712.85", "明天出版社", "picture", "primary"),
    KnownTitle("石头汤", "[美]琼·穆特 著；阿甲 译", "I712.85", "南海出版公司", "picture", "primary"),
    KnownTitle("彩虹色的花", "[美]麦克·格雷涅茨 著；蒲蒲兰 译", "I712.85", "二十一世纪出版社", "picture", "primary"),
    # 工具书
    KnownTitle("新华字典", "中国社会科学院语言研究所 修订", "H163", "商务印书馆", "reference"),
    KnownTitle("现代汉语词典", "中国社会科学院语言研究所词典编辑室 编", "H164", "商务印书馆", "reference"),
    KnownTitle("古汉语常用字字典", "王力 等 编", "H161", "商务印书馆", "reference"),
    KnownTitle("新华成语大词典", "商务印书馆辞书研究中心 编", "H136.31", "商务印书馆", "reference"),
    KnownTitle("小学生多功能字典", "四川辞书出版社 编", "H163", "四川辞书出版社", "reference", "primary"),
    KnownTitle(
        "小学生成语词典", "上海辞书出版社语文词典编纂中心 编", "H136.31", "上海辞书出版社", "reference", "primary"
    ),
    KnownTitle("牛津高阶英汉双解词典", "[英]霍恩比 著；李旭影 译", "H316", "商务印书馆", "reference", "junior"),
    KnownTitle("中国少年儿童百科全书", "林崇德 主编", "Z228.1", "中国大百科全书出版社", "reference"),
    KnownTitle("中华人民共和国地图集", "中国地图出版社 编", "K992.1", "中国地图出版社", "reference"),
    KnownTitle("世界地图册", "中国地图出版社 编", "K991", "中国地图出版社", "reference"),
    KnownTitle("辞海（缩印本）", "夏征农 陈至立 主编", "Z32", "上海辞书出版社", "reference"),
    KnownTitle("汉英词典", "姚小平 主编", "H316", "外语教学与研究出版社", "reference"),
)

# Classics come in several editions from several houses; each is its own record with its own call number.
EDITIONS = ("（注音版）", "（彩绘注音版）", "（青少版）", "（名师导读版）", "（无障碍阅读）", "（插图本）", "")
EDITION_TITLES = frozenset(
    {
        "西游记",
        "水浒传",
        "三国演义",
        "红楼梦",
        "十万个为什么",
        "昆虫记",
        "小王子",
        "海底两万里",
        "鲁滨逊漂流记",
        "格林童话",
        "安徒生童话",
        "伊索寓言",
        "上下五千年",
        "唐诗三百首",
        "骆驼祥子",
        "城南旧事",
        "爱的教育",
        "童年",
        "汤姆·索亚历险记",
        "格列佛游记",
    }
)

# --- Title pools by 中图法 class -------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words the templates below draw from; `{key}` in a template takes a word from POOLS[key].
POOLS: dict[str, tuple[str, ...]] = {
    "animal": _words(
        "小狐狸 小兔子 小熊 小猫 小狗 小松鼠 小刺猬 小鸭子 小青蛙 小老鼠 小猴子 大象 长颈鹿 狮子 小鹿 "
        "企鹅 小海豚 熊猫 蜗牛 蚂蚁 小蜜蜂 萤火虫 七星瓢虫 乌龟 小燕子 猫头鹰 啄木鸟 小獾 小狼 小猪"
    ),
    "thing": _words(
        "风筝 纸船 灯笼 红伞 月亮 星星 彩虹 种子 钥匙 信 铅笔 口琴 花园 小木屋 帽子 围巾 蜡烛 气球 "
        "火车 邮票 石头 羽毛 雪人 小路 秋千 书包 魔法棒 望远镜 旧自行车 蒲公英"
    ),
    "place": _words(
        "外婆家 小镇 山那边 河边 老街 胡同 海边 森林 草原 弄堂 小村 学校 操场 图书馆 城墙下 "
        "大运河边 梧桐树下 果园 稻田 江南 北方 沙漠 雪山 小岛 天空"
    ),
    "season": _words("春天 夏天 秋天 冬天 暑假 寒假 新学期 雨季 端午 中秋 除夕 元宵 清明 开学第一天"),
    "feeling": _words("勇敢 快乐 孤独 温暖 奇妙 神秘 美丽 安静 淘气 倔强 善良 了不起 不一样 最好 看不见"),
    "secret": _words("秘密 约定 梦想 礼物 冒险 旅行 童年 故事 心愿 歌声 日记 守护 远方 回忆 友谊 传说 奇遇"),
    "kid": _words("男孩 女孩 少年 小姑娘 小哥哥 同桌 班长 转学生 双胞胎 小画家 小侦探 小队长 小书虫 新同学"),
    "action": _words(
        "开店 搬家 上学 找朋友 过生日 去旅行 学游泳 种豆子 盖房子 捉迷藏 送信 看星星 过冬 "
        "当医生 画画 唱歌 失眠了 迷路了 生气了 长大了"
    ),
    "hero": _words(
        "孔子 孟子 屈原 司马迁 张衡 祖冲之 李白 杜甫 苏轼 岳飞 郑和 李时珍 林则徐 孙中山 鲁迅 "
        "詹天佑 钱学森 邓稼先 袁隆平 屠呦呦 华罗庚 梅兰芳 居里夫人 爱迪生 达·芬奇 牛顿 爱因斯坦 "
        "贝多芬 南丁格尔 海伦·凯勒"
    ),
    "dynasty": _words("夏商周 春秋战国 秦汉 三国 两晋南北朝 隋唐 宋元 明清 近代中国 唐朝 宋朝 明朝"),
    "province": _words(
        "北京 上海 天津 重庆 河北 山西 内蒙古 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 "
        "河南 湖北 湖南 广东 广西 海南 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾"
    ),
    "ancient": _words("埃及 希腊 罗马 印度 中国 巴比伦 玛雅 波斯"),
    "country": _words("埃及 希腊 罗马 印度 日本 英国 法国 德国 俄罗斯 美国 巴西 澳大利亚 非洲 欧洲 南美洲"),
    "festival": _words("春节 元宵节 清明节 端午节 七夕 中秋节 重阳节 腊八节 二十四节气"),
    "science": _words(
        "宇宙 太阳系 月球 火山 地震 海洋 恐龙 化石 天气 河流 森林 岩石 电 磁铁 光 声音 水 "
        "空气 植物 昆虫 鸟类 鱼类 细菌 人体 大脑 心脏 微生物 机器人 人工智能 芯片"
    ),
    "creature": _words(
        "恐龙 昆虫 鸟类 鲸鱼 鲨鱼 蝴蝶 蚂蚁 蜜蜂 青蛙 猛兽 海洋动物 极地动物 濒危动物 "
        "两栖动物 爬行动物 哺乳动物 森林动物 草原动物"
    ),
    "plant": _words("花草 树木 种子 蔬菜 水果 竹子 荷花 菊花 仙人掌 蘑菇 水稻 小麦 茶树 野花"),
    "math": _words("数字 图形 分数 小数 方程 逻辑 概率 几何 速算 奥数 统计 对称 思维"),
    "subject": _words("语文 数学 英语 科学 道德与法治 美术 音乐 体育 信息科技 劳动 综合实践"),
    "skill": _words("阅读 写作 朗读 思维 记忆 专注力 时间管理 表达 倾听 提问 合作 观察"),
    "sport": _words("足球 篮球 排球 乒乓球 羽毛球 跳绳 游泳 田径 武术 围棋 国际象棋 轮滑 体操 啦啦操"),
    "art": _words("水彩画 国画 简笔画 素描 剪纸 折纸 泥塑 版画 书法 硬笔字 软笔书法 创意美术"),
    "music": _words("钢琴 小提琴 古筝 二胡 竖笛 口琴 尤克里里 合唱 葫芦丝 非洲鼓"),
    "tech": _words("Scratch编程 Python编程 机器人 3D打印 无人机 开源硬件 人工智能 物联网 电子制作"),
    "vehicle": _words("火车 高铁 汽车 轮船 飞机 自行车 地铁 桥梁 隧道 公路"),
    "space": _words("火箭 卫星 空间站 月球车 火星 北斗 天宫 神舟 嫦娥 宇航员"),
    "env": _words("地球 海洋 森林 湿地 空气 水资源 垃圾分类 野生动物 气候 绿色家园"),
    "virtue": _words("诚信 感恩 孝道 礼仪 勤俭 友善 责任 规则 合作 分享 自律 坚持 宽容 勇气"),
    "safety": _words("交通安全 防溺水 消防安全 网络安全 食品安全 防欺凌 自我保护 防拐骗 地震逃生 居家安全"),
    "num": _words("100 50 365 60 30 20 80 120"),
    "color": _words("红色的 蓝色的 金色的 绿色的 白色的 紫色的 橙色的 彩色的"),
    "gradeword": _words("一年级 二年级 三年级 四年级 五年级 六年级 低年级 中年级 高年级 小学生"),
    "juniorword": _words("初中生 七年级 八年级 九年级 中学生 青少年"),
    "writing": _words("看图写话 日记 记叙文 写人 写景 状物 想象 书信 读后感 观察 童话 游记 满分"),
    "teach": _words(
        "课堂 作业 单元 大概念 项目式学习 整本书阅读 思维导图 深度学习 分层教学 跨学科学习 "
        "课堂提问 教学评价 班级管理 家校沟通 校本课程 劳动教育 心理健康 阅读推广"
    ),
}


@dataclass(frozen=True)
class Shelf:
    """A 中图法 class number, the kinds of titles shelved there and how their makers are credited."""

    clc: str
    # Space-separated title templates; `{key}` takes a word from POOLS[key].
    templates: str
    # "著" for literature, "编著" for science, "主编" for series, "绘" for picture books; "foreign" credits a
    # translated author (from the country the class number names, see FOREIGN_SHELF_COUNTRY) and a translator.
    role: str = "著"
    publishers: str = "children"
    category: str = "book"
    weight: float = 1.0
    level: str = "all"


# Share of the records per 中图法 basic class in a primary and a junior school's collection: literature (I) first,
# then history and geography (K), education (G), language (H), as school collections are.
CLASS_SHARES: dict[str, tuple[float, float]] = {
    "A": (0.4, 0.6), "B": (2.0, 3.0), "C": (0.6, 0.8), "D": (3.5, 4.0), "E": (0.6, 1.0), "F": (0.5, 0.8),
    "G": (10.0, 10.0), "H": (5.0, 6.0), "I": (40.0, 36.0), "J": (5.0, 5.0), "K": (11.0, 12.0), "N": (1.5, 1.5),
    "O": (2.0, 3.0), "P": (2.0, 2.0), "Q": (4.0, 3.0), "R": (1.5, 1.5), "S": (0.8, 0.8), "T": (3.0, 3.5),
    "U": (1.0, 1.0), "V": (1.0, 1.0), "X": (1.0, 1.0), "Z": (3.0, 2.5),
}  # fmt: skip

# 中图法 world literature is shelved by country: I313 日本, I516 德国, I561 英国, I565 法国, I712 美国.
FOREIGN_SHELF_COUNTRY = {"I313": "日", "I516": "德", "I561": "英", "I565": "法", "I712": "美"}

# Within a class, shelves share its records by weight.
SHELVES = (
    Shelf("A49", "{hero}的青少年时代 伟人的少年时代 读懂新时代", "编著", "politics"),
    Shelf("B82-49", "{virtue}的故事 讲{virtue}的孩子 {virtue}伴我成长 给孩子的{virtue}课", "编著", "education"),
    Shelf("B844.1", "{feeling}的我：儿童心理{num}问 和情绪做朋友 孩子的心理{secret}", "编著", "education"),
    Shelf("B222", "写给孩子的诸子百家 少年读{hero} {hero}的智慧", "编著", "classics"),
    Shelf("C912.1", "学会{skill} {skill}小达人 {gradeword}{skill}训练", "编著", "education"),
    Shelf("D669.9", "{safety}读本 {safety}{num}问 {gradeword}{safety}教育", "编著", "politics"),
    Shelf("D920.5", "青少年法治教育读本 写给孩子的民法典 身边的法律故事 小公民学法律", "编著", "politics"),
    Shelf("D64", "红领巾心向党 少先队的故事 我们的节日：{festival} 红色{secret}", "编著", "politics"),
    Shelf("E92", "兵器大百科：{vehicle} 中国人民解放军的故事 少年军校：{num}个军事知识", "编著", "science"),
    Shelf("F0-49", "给孩子的财商课 钱从哪里来 小小经济学家 {kid}的零花钱"),
    Shelf(
        "G624.24",
        "{gradeword}{writing}作文 {gradeword}{writing}{num}篇 好作文是这样写成的 {writing}作文一本通",
        "主编",
        "education",
    ),
    Shelf("G624.23", "{gradeword}数学思维训练 趣味{math} {math}游戏", "主编", "education", level="primary"),
    Shelf(
        "G633.3",
        "{juniorword}{writing}作文 中考{writing}作文 {juniorword}阅读训练",
        "主编",
        "education",
        level="junior",
    ),
    Shelf("G622", "{teach}实践 {teach}的{num}个策略 {subject}{teach} 走向{teach}", "著", "education", weight=1.5),
    Shelf("G78", "{feeling}的父母 陪孩子走过{gradeword} 好习惯成就好孩子 家庭{skill}指导", "著", "education"),
    Shelf("G8", "{sport}入门 {sport}基础教程 少儿{sport}", "编著", "education"),
    Shelf("G89", "跟我学{sport} {sport}启蒙", "编著", "education"),
    Shelf("G258.2", "图书馆里的{secret} 中小学图书馆工作手册 阅读推广{num}例", "著", "education"),
    Shelf("H12", "汉字的{secret} {num}个汉字的故事 有趣的汉字", "编著", "classics"),
    Shelf("H136.3", "成语故事{num}则 {gradeword}成语接龙 成语里的中国", "编著", "classics"),
    Shelf("H31", "{gradeword}英语{skill} 英语分级读物：{animal} 看图学英语：{thing}", "主编", "foreign"),
    Shelf("H194.1", "{gradeword}必背古诗词 国学经典诵读 声律启蒙", "编", "classics"),
    Shelf(
        "I287.45",
        "{place}的{secret} {feeling}的{kid} {kid}的{season} {season}的{thing} 我和{animal}的{secret} "
        "{place}的{kid} {color}{thing} {kid}{action}",
        weight=5.0,
    ),
    Shelf(
        "I287.7",
        "{animal}{action} {feeling}的{animal} {animal}和{animal} {animal}的{thing} {animal}的{secret} "
        "住在{place}的{animal}",
        weight=4.0,
        level="primary",
    ),
    Shelf("I287.2", "{thing}的歌 写给{season}的诗 {color}{thing}：儿童诗选", weight=0.6),
    Shelf("I287.6", "{season}的{secret} {place}的{season} {thing}与{thing}", weight=0.8),
    Shelf("I247.5", "{place}{season} {feeling}的{season} {place}的{secret}", "著", "literature", level="junior"),
    Shelf("I247.7", "{place}故事集 {season}小说选 {feeling}的人", "著", "literature", weight=0.6, level="junior"),
    Shelf("I267", "{place}的{season} {thing}集 {season}手记", "著", "literature", weight=0.8),
    Shelf("I277.3", "{province}民间故事 {festival}的传说 {animal}报恩", "编", weight=0.8),
    Shelf("I712.84", "{feeling}的{kid} {animal}{action} {kid}的{secret}", "foreign", "foreign", weight=1.5),
    Shelf("I561.84", "{place}的{secret} {animal}的{secret} {feeling}的{thing}", "foreign", "foreign"),
    Shelf("I565.88", "{animal}的{thing} {color}{thing}", "foreign", "foreign", weight=0.6),
    Shelf("I516.88", "{animal}{action} {feeling}的{animal}", "foreign", "foreign", weight=0.5),
    Shelf("I313.84", "{season}的{kid} {kid}的{thing} {place}的{animal}", "foreign", "foreign", weight=0.8),
    Shelf(
        "I287.8",
        "{animal}{action} {color}{thing} {animal}的{thing} {feeling}的{animal}",
        "绘",
        "picture",
        "picture",
        weight=3.0,
        level="primary",
    ),
    Shelf(
        "I712.85",
        "{animal}{action} {color}{thing} {feeling}的{animal}",
        "foreign",
        "picture",
        "picture",
        weight=2.0,
        level="primary",
    ),
    Shelf("I313.85", "{animal}的{thing} {animal}{action}", "foreign", "picture", "picture", level="primary"),
    Shelf("J2", "少儿{art}入门 {art}基础教程 一学就会的{art} {art}：{animal}", "编著", "art"),
    Shelf("J292", "{gradeword}{art}字帖 {art}{num}天 楷书入门", "编", "art"),
    Shelf("J6", "{music}基础教程 少儿{music}曲集 {music}入门{num}课", "编著", "art"),
    Shelf("J228", "{dynasty}的故事（漫画版） 漫画{science} 漫画{hero}", "绘"),
    Shelf("K209", "{dynasty}的故事 {dynasty}那些事儿 少年读{dynasty} 话说{dynasty}", "著", "history", weight=2.0),
    Shelf("K82", "{hero}的故事 {hero}传 少年{hero}", "著", "history", weight=2.0),
    Shelf("K83", "{hero}的一生 {hero}小传", "著", "history"),
    Shelf("K928.9", "走遍{province} {province}游记 美丽的{province} {province}的{secret}", "编著", "history"),
    Shelf("K892", "{festival}的故事 我们的{festival} {festival}里的中国", "编著", "history"),
    Shelf("K1", "{country}的历史 写给孩子的{country}史 古代{ancient}的{secret}", "著", "history"),
    Shelf("K9", "地图上的{dynasty} {country}地理 中国地理：{province}", "编著", "history"),
    Shelf("N49", "{science}的{secret} {science}探秘 神奇的{science} {science}{num}问", "编著", "science"),
    Shelf("O1-49", "{math}的{secret} 好玩的{math} {math}王国历险记", "著", "science"),
    Shelf("O4-49", "身边的物理：{science} {science}的实验 有趣的物理实验", "编著", "science"),
    Shelf("O6-49", "厨房里的化学 {science}与化学 奇妙的化学实验", "编著", "science"),
    Shelf("P1-49", "星空{secret} 认识{space} 太阳系{secret}", "编著", "science"),
    Shelf("P5-49", "{science}的奥秘 地球的{secret} {science}：地球科学探秘", "编著", "science"),
    Shelf(
        "Q95-49",
        "{creature}的{secret} {creature}大百科 神奇的{creature} {creature}{num}问",
        "编著",
        "science",
        weight=2.0,
    ),
    Shelf("Q94-49", "{plant}的{secret} {plant}王国 身边的{plant}", "编著", "science"),
    Shelf("Q96-49", "昆虫的{secret} {creature}观察笔记", "著", "science"),
    Shelf("R161", "{gradeword}健康手册 保护{science} 我们的{science}", "编著", "science"),
    Shelf("S6-49", "种{plant} 校园小农场：{plant} {plant}的种植", "编著", "science"),
    Shelf("TP311.1", "{tech}入门 少儿{tech} {gradeword}学{tech}", "编著", "science"),
    Shelf("TB47", "{thing}的发明 改变世界的{num}个发明 小发明家", "编著", "science"),
    Shelf("U-49", "{vehicle}的故事 {vehicle}大百科 中国{vehicle}", "编著", "science"),
    Shelf("V4-49", "{space}的故事 飞向{space} 中国航天：{space}", "编著", "science"),
    Shelf("X-49", "保护{env} {env}在哭泣 我们的{env}", "编著", "science"),
    Shelf(
        "Z228.1",
        "儿童百科全书：{science} {science}大百科 少年百科：{creature} {num}个为什么：{science}",
        "主编",
        "science",
        weight=2.0,
    ),
    Shelf("Z228.2", "中学生百科：{science} 青少年{science}知识", "主编", "science", level="junior"),
)

# 工具书 beyond the well-known dictionaries: the school editions every library buys several of.
REFERENCE_SHELVES = (
    Shelf("H163", "{gradeword}{refkind} 新编{refkind} 学生{refkind} 多功能{refkind}", "主编", "reference", "reference"),
    Shelf("Z228.1", "少年儿童百科全书：{science} 图解{science}百科", "主编", "reference", "reference"),
)
POOLS["refkind"] = _words(
    "同义词近义词反义词词典 成语词典 组词造句搭配词典 多音多义字字典 笔顺规范字典 古诗词鉴赏辞典 英汉词典 "
    "歇后语谚语词典 好词好句好段词典 现代汉语词典 标准字典 文言文词典"
)

# Series names, given to some records (225 丛书).
SERIES = (
    "小学生必读丛书",
    "中小学生阅读指导目录",
    "国际大奖小说",
    "新课标必读",
    "百年百部中国儿童文学经典书系",
    "儿童文学名家经典",
    "少年科学馆",
    "图说天下",
    "快乐读书吧",
)
