"""A small central set shared by the tailoring, diff and author-error tests (each changes it its own way)."""

CENTRAL = """\
[set]
id = "central-2024"
name = "Bộ tiêu chí trung ương"
level = "department"
total_points = 10
bands = [{ code = "A", from = 80 }, { code = "B", below = 80 }]

[criteria."1"]
name = "Chỉ đạo, điều hành"
max_points = 4

[criteria."1.1"]
name = "Kế hoạch CCHC"
max_points = 2
rule = "yes_no"

[criteria."1.2"]
name = "Báo cáo CCHC"
max_points = 2
rule = "deduction"
per_occurrence = 0.5

[criteria."2"]
name = "Thủ tục hành chính"
max_points = 6

[criteria."2.1"]
name = "Hồ sơ đúng hạn"
max_points = 4
rule = "bands"
bands = [{ from = 95, points = 4 }, { from = 80, below = 95, points = 2 }, { below = 80, points = 0 }]

[criteria."2.2"]
name = "Bưu chính công ích"
max_points = 2
rule = "yes_no"
"""
