"""Boilerplate removal on web-page text written for these tests (not the seeds)."""
from rag.core.types import Document
from rag.normalise import normalise

PAGE = """首页
新闻
政务
经济
文化
您现在的位置：首页 > 新闻中心 > 本地要闻
合肥3个集群入选国家先进制造业集群名单
2022年12月1日 10:20  来源：合肥晚报
字号：大 中 小   打印本页   关闭窗口
分享到：微信 微博

　　本报讯 近日，工业和信息化部公布45个国家先进制造业集群名单，合肥市智能语音集群、合肥市新型显示器件集群和合肥市集成电路集群入选。
　　据介绍，合肥市新型显示器件集群2021年产值超过1000亿元，集聚上下游企业150余家。
　　下一步，合肥将加快推动集群向世界级迈进。
责任编辑：张三
相关新闻
· 合肥发布新一轮制造业支持政策
· 安徽新能源汽车产量增长五成
· 芜湖机器人产业园开园...
上一篇：合肥地铁新线开通
下一篇：巢湖治理取得新进展
关于我们 | 联系我们 | 网站地图
Copyright © 2022 合肥晚报 版权所有 皖ICP备00000000号
"""


def test_page_keeps_article_and_drops_chrome():
    ndoc = normalise(Document("p", "p.txt", PAGE, "utf-8", "0"))
    text = ndoc.text
    assert text.splitlines()[0] == "合肥3个集群入选国家先进制造业集群名单"
    for kept in ["合肥市智能语音集群、合肥市新型显示器件集群和合肥市集成电路集群入选。",
                 "集聚上下游企业150余家。", "下一步，合肥将加快推动集群向世界级迈进。"]:
        assert kept in text
    for dropped in ["您现在的位置", "字号", "分享到", "责任编辑", "相关新闻", "合肥发布新一轮制造业支持政策",
                    "芜湖机器人产业园开园", "关于我们", "ICP备", "Copyright"]:
        assert dropped not in text, dropped
    assert "首页\n新闻" not in text


def test_short_lines_inside_an_article_are_kept():
    text = "标题很长的一篇文章来了\n目标\n到2025年，全省培育10个省级先进制造业集群，推动产业升级，形成新的增长点。\n任务\n加快推进集群建设。\n"
    ndoc = normalise(Document("p", "p.txt", text, "utf-8", "0"))
    assert "目标" in ndoc.text and "任务" in ndoc.text


def test_link_list_header_early_in_page_does_not_eat_the_article():
    text = "相关阅读\n" + "某市公布首批市级战略性新兴产业集群名单，共有5个集群入选，涵盖新材料、电子信息等领域，推动产业高质量发展。\n" * 3
    ndoc = normalise(Document("p", "p.txt", text, "utf-8", "0"))
    assert ndoc.text.count("某市公布首批市级") == 3
