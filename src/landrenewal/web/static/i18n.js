// Every string the UI shows, in Simplified Chinese (default) and English; the choice is kept in localStorage.

const KEY = 'landrenewal.lang';

const STRINGS = {
  'app.title': ['低效工业用地整治平台', 'Industrial Land Renewal Platform'],
  'app.subtitle': ['亩均论英雄 · 一地一档', 'Per-mu evaluation · parcel dossiers'],
  'nav.map': ['地图', 'Map'],
  'nav.tables': ['数据表', 'Tables'],
  'nav.dashboard': ['统计看板', 'Dashboard'],
  'nav.projects': ['整治项目', 'Projects'],
  'nav.import': ['数据导入', 'Import'],
  'nav.users': ['用户管理', 'Users'],
  'nav.audit': ['操作日志', 'Audit log'],
  'nav.logout': ['退出', 'Log out'],
  'nav.lang': ['English', '中文'],
  'scope.city': ['全市', 'Whole city'],


  'login.title': ['用户登录', 'Log in'],
  'login.username': ['用户名', 'User name'],
  'login.password': ['口令', 'Password'],
  'login.submit': ['登录', 'Log in'],
  'login.busy': ['正在登录…', 'Logging in…'],
  'login.expired': ['登录已失效，请重新登录', 'Your session has ended; please log in again'],
  'login.required': ['请输入用户名和口令', 'Enter your user name and password'],
  'login.note': ['本系统仅限授权人员使用，操作均记录日志。', 'For authorised staff only; every action is logged.'],

  'common.loading': ['正在加载…', 'Loading…'],
  'common.none': ['无', 'None'],
  'common.empty': ['暂无数据', 'No data'],
  'common.all': ['全部', 'All'],
  'common.yes': ['是', 'Yes'],
  'common.no': ['否', 'No'],
  'common.back': ['返回', 'Back'],
  'common.close': ['关闭', 'Close'],
  'common.mu': ['亩', 'mu'],
  'common.year': ['年度', 'Year'],
  'common.error': ['出错了', 'Something went wrong'],
  'common.notFound': ['没有找到该页面', 'No such page'],
  'common.network': ['无法连接服务器，请检查网络', 'Cannot reach the server (network error)'],
  'common.retry': ['重试', 'Retry'],
  'common.show': ['展开', 'Show'],
  'common.items': ['{n} 项', '{n} items'],
  'common.edit': ['编辑', 'Edit'],
  'common.save': ['保存', 'Save'],
  'common.saving': ['正在保存…', 'Saving…'],
  'common.cancel': ['取消', 'Cancel'],
  'restricted': ['无权查看', 'Restricted'],
  'zone.ownPart': ['（仅本镇街企业部分）', '(your town\'s enterprises only)'],
  'restricted.title': ['仅本镇街及市级用户可查看企业涉密经营数据', 'Private enterprise figures: only its own town and the city see them'],
  'restricted.notice': ['无权查看：该企业的税收、产值、能耗等经营数据仅限其所在镇街和市级用户查看。',
    'Restricted: tax, output, energy and other figures of this enterprise are visible only to its own town and to city users.'],

  'map.search': ['宗地代码、镇街村名、企业名称、信用代码', 'Parcel code, town or village, enterprise or USCC'],
  'map.searchNone': ['没有匹配结果', 'No match'],
  'map.kind.parcel': ['宗地', 'Parcel'],
  'map.kind.enterprise': ['企业', 'Enterprise'],
  'map.kind.town': ['镇街', 'Town'],
  'map.kind.village': ['村', 'Village'],
  'map.layers': ['图层', 'Layers'],
  'map.layer.parcels': ['宗地', 'Parcels'],
  'map.layer.towns': ['镇街界线', 'Town boundaries'],
  'map.layer.zones': ['连片片区', 'Renewal zones'],
  'map.layer.basemap': ['底图', 'Basemap'],
  'map.noZones': ['暂无片区结果', 'No zone run yet'],
  'map.legend': ['图例', 'Legend'],
  'map.colorBy': ['着色方式', 'Colour by'],
  'map.byClass': ['亩均评价类别', 'Evaluation class'],
  'map.byCategory': ['低效用地类型', 'Low-efficiency type'],
  'map.unrated': ['未评价', 'Not rated'],
  'map.noFinding': ['无认定结果', 'No finding'],
  'map.openParcel': ['查看一地一档', 'Open parcel dossier'],
  'map.openEnterprise': ['查看一企一档', 'Open enterprise dossier'],
  'map.noWebGL': ['浏览器无法启用 WebGL，地图无法显示。请使用新版 Chrome、Edge 或 Firefox。', 'WebGL is not available: the map cannot be shown. Use a recent Chrome, Edge or Firefox.'],
  'map.parcelCount': ['宗地 {n} 宗', '{n} parcels'],
  'map.zone': ['片区', 'Zone'],
  'map.zoneNo': ['{n} 号片区', 'Zone {n}'],
  'map.openZone': ['查看片区档案', 'Open zone dossier'],
  'map.noLocation': ['该企业没有可定位的宗地', 'This enterprise has no parcel to locate'],


  'parcel.title': ['一地一档', 'Parcel dossier'],
  'parcel.map': ['宗地位置', 'Location'],
  'parcel.attributes': ['宗地属性', 'Parcel attributes'],
  'parcel.enterprises': ['用地企业（历年）', 'Enterprises on the parcel over time'],
  'parcel.metrics': ['企业经营指标', 'Enterprise figures by year'],
  'parcel.evaluation': ['亩均效益评价', 'Per-mu evaluation'],
  'parcel.findings': ['低效用地认定', 'Low-efficiency findings'],
  'parcel.zone': ['所在连片片区', 'Renewal zone'],
  'parcel.buildings': ['建筑物', 'Buildings'],
  'parcel.history': ['变更记录', 'History'],
  'parcel.classes': ['历年评价类别', 'Class by year'],
  'parcel.onMap': ['在地图中查看', 'Show on map'],
  'parcel.noZone': ['不在任何连片片区内', 'Not in any renewal zone'],
  'parcel.noEvaluation': ['尚无评价结果', 'No evaluation yet'],
  'parcel.noFindings': ['未认定为低效用地', 'No low-efficiency finding'],
  'parcel.noEnterprises': ['无用地企业记录', 'No enterprise recorded'],
  'parcel.noHistory': ['暂无变更记录', 'No recorded changes'],
  'parcel.timeline': ['用地时间轴', 'Timeline'],
  'life.title': ['全周期记录', 'Lifecycle'],
  'life.deadline': ['约定', 'Agreed'],
  'life.late': ['晚于约定 {days} 天', '{days} days late'],
  'life.overdue': ['已逾期 {days} 天', 'overdue by {days} days'],
  'life.moveIn': ['入驻', 'moved in'],
  'life.moveOut': ['迁出', 'left'],
  'life.year': ['{year} 年度', '{year}'],
  'life.evaluated': ['{year} 年度亩均效益评价', 'Per-mu evaluation of {year}'],
  'life.identified': ['低效用地认定：{n} 项情形', 'Low-efficiency findings: {n}'],
  'life.clear': ['低效用地认定：未发现低效情形', 'Low-efficiency findings: none'],
  'life.empty': ['暂无日期记录', 'No dates recorded'],
  'parcel.untilNow': ['至今', 'now'],

  'ent.title': ['一企一档', 'Enterprise dossier'],
  'ent.attributes': ['企业信息', 'Enterprise'],
  'ent.parcels': ['使用宗地', 'Parcels used'],
  'ent.metrics': ['经营指标', 'Figures by year'],
  'ent.evaluations': ['历年评价', 'Evaluations by year'],
  'ent.findings': ['所用宗地的低效认定', 'Findings on its parcels'],
  'ent.noParcels': ['无用地记录', 'No parcel recorded'],
  'ent.noEvaluations': ['未参加评价', 'Not evaluated'],
  'ent.allMetrics': ['在经营指标表中查看', 'Show in the figures list'],

  'metric.choose': ['指标', 'Figure'],
  'metric.chart': ['历年走势', 'Trend'],
  'metric.edit': ['编辑', 'Edit'],
  'metric.add': ['新增年度', 'Add a year'],
  'metric.editTitle': ['编辑 {year} 年度经营指标', 'Edit the figures of {year}'],
  'metric.addTitle': ['新增年度经营指标', 'Figures for a new year'],
  'metric.year': ['年度', 'Year'],
  'metric.note': ['本次修改将在下一次亩均评价中生效。', 'Changes take effect from the next evaluation run.'],
  'metric.saved': ['已保存 {year} 年度经营指标', 'The figures of {year} are saved'],
  'metric.unchanged': ['没有修改任何指标', 'Nothing was changed'],
  'metric.emptyNew': ['请至少填写一项指标', 'Fill in at least one figure'],
  'metric.badYear': ['请填写 1990 至今年之间的年度', 'Enter a year between 1990 and this year'],
  'metric.badNumber': ['「{field}」应为不小于 0 的数字，或留空', '"{field}" must be a number ≥ 0, or empty'],
  'metric.reason': ['修改原因（必填，记入操作日志）', 'Reason for the correction (required; kept in the audit log)'],
  'metric.reasonOptional': ['说明（选填，记入操作日志）', 'Note (optional; kept in the audit log)'],
  'metric.reasonHint': ['如：企业补报、统计口径更正', 'e.g. figures resubmitted by the enterprise'],
  'metric.reasonNeeded': ['请填写修改原因', 'Say why the figures are corrected'],
  'metric.confirmNegative': ['确认税收为负数（如当年退税大于缴税）', 'Confirm that the tax is negative (refunds above the tax paid)'],
  'metric.negativeNeeded': ['税收为负数，请勾选确认后再保存', 'The tax is negative: tick the confirmation to save it'],
  'metric.exists': ['{year} 年度已有数据，保存将覆盖所填指标', '{year} already has figures: saving overwrites the ones filled in'],

  'eval.run': ['评价年度', 'Year'],
  'eval.class': ['类别', 'Class'],
  'eval.score': ['综合得分', 'Score'],
  'eval.rank': ['排名', 'Rank'],
  'eval.rankOf': ['{rank} / {size}', '{rank} of {size}'],
  'eval.rankIndustry': ['行业内排名', 'Rank in industry'],
  'eval.list': ['评价名单', 'List'],
  'eval.status': ['评价状态', 'Status'],
  'eval.unit': ['评价单元', 'Unit'],
  'eval.policy': ['政策版本', 'Policy version'],
  'eval.previous': ['上年', 'Previous year'],
  'eval.change': ['得分变化', 'Score change'],
  'eval.indicator': ['指标', 'Indicator'],
  'eval.value': ['指标值', 'Value'],
  'eval.benchmark': ['基准值', 'Benchmark'],
  'eval.weight': ['权重', 'Weight'],
  'eval.points': ['得分', 'Points'],
  'eval.unitCol': ['单位', 'Unit'],
  'eval.sources': ['政策依据', 'Policy sources'],
  'eval.filled': ['缺失指标按名单平均值计', 'Missing figures filled with the list mean'],
  'eval.members': ['单元内企业', 'Enterprises in the unit'],

  'finding.rule': ['认定规则', 'Rule'],
  'finding.category': ['低效类型', 'Type'],
  'finding.evidence': ['证据', 'Evidence'],
  'finding.threshold': ['阈值', 'Threshold'],
  'finding.clause': ['政策依据', 'Policy clause'],
  'finding.milestone': ['处置节点', 'Milestone'],
  'finding.parcel': ['宗地', 'Parcel'],
  'finding.run': ['认定批次 {id}（截至 {as_of}）', 'Identification run {id} (as of {as_of})'],

  'zone.no': ['片区编号', 'Zone'],
  'zone.area': ['面积（亩）', 'Area (mu)'],
  'zone.verdict': ['政策判断', 'Verdict'],
  'zone.run': ['片区批次', 'Zone run'],
  'proj.title': ['整治项目', 'Projects'],
  'proj.code': ['项目编号', 'Code'],
  'proj.name': ['项目名称', 'Name'],
  'proj.kind': ['项目类型', 'Kind'],
  'proj.kind.disposal': ['处置', 'Disposal'],
  'proj.kind.renewal': ['改造', 'Renewal'],
  'proj.stage': ['当前阶段', 'Stage'],
  'proj.since': ['进入日期', 'Since'],
  'proj.nextDue': ['最近期限', 'Next deadline'],
  'proj.deadlines': ['期限', 'Deadlines'],
  'proj.overdue': ['逾期', 'Overdue'],
  'proj.overdueOnly': ['仅看逾期', 'Overdue only'],
  'proj.dueWithin': ['{n} 日内到期', 'Due within {n} days'],
  'proj.parcels': ['宗地', 'Parcels'],
  'proj.parcel': ['宗地', 'Parcel'],
  'proj.none': ['没有符合条件的项目', 'No project matches'],
  'proj.count': ['共 {n} 个项目（按 {day} 计算）', '{n} projects (as of {day})'],
  'proj.suspended': ['已中止', 'Suspended'],
  'proj.stages': ['阶段与期限', 'Stages and deadlines'],
  'proj.actions': ['办理', 'Actions'],
  'proj.timeline': ['全周期档案', 'Full record'],
  'proj.consent': ['权益人意愿与表决', 'Consent and votes'],
  'proj.facts': ['项目信息', 'Project'],
  'proj.unit': ['责任单位', 'Responsible unit'],
  'proj.person': ['责任人', 'Person responsible'],
  'proj.plannedArea': ['计划面积（亩）', 'Planned area (mu)'],
  'proj.investment': ['计划投资（万元）', 'Planned investment (10k yuan)'],
  'proj.industries': ['拟引入产业', 'Target industries'],
  'proj.noClocks': ['当前没有计时中的期限', 'No deadline running'],
  'proj.deadline': ['期限', 'Deadline'],
  'proj.started': ['起算日', 'From'],
  'proj.due': ['届满日', 'Due'],
  'proj.status': ['状态', 'Status'],
  'proj.daysSuspended': ['日中止', 'days suspended'],
  'proj.daysExtended': ['日延期', 'days extended'],
  'proj.ban': ['「{name}」逾期未完成：{until} 前不得重启改造', '“{name}” was missed: no renewal may restart before {until}'],
  'proj.noActions': ['本阶段没有可办理的动作', 'No action in this stage'],
  'proj.take': ['确认{name}', 'Confirm: {name}'],
  'proj.day': ['业务日期', 'Business date'],
  'proj.reason': ['事由（记入档案）', 'Reason (kept in the record)'],
  'proj.done': ['已办理：{name}', 'Done: {name}'],
  'proj.noEvents': ['暂无记录', 'Nothing recorded'],
  'proj.voids': ['（作废第 {n} 号记录）', '(voids #{n})'],
  'proj.voided': ['已作废', 'Voided'],
  'proj.holder': ['权益人', 'Holder'],
  'proj.noHolders': ['尚未登记权益人', 'No rights holders recorded'],
  'proj.holders': ['权益人数', 'Rights holders'],
  'proj.persons': ['计人数', 'Persons'],
  'proj.area': ['权属面积（亩）', 'Area held (mu)'],
  'proj.areaConsent': ['面积同意率', 'Area consenting'],
  'proj.personsConsent': ['人数同意率', 'Persons consenting'],
  'proj.areaSigned': ['面积签约率', 'Area signed'],
  'proj.personsSigned': ['人数签约率', 'Persons signed'],
  'proj.holderNo': ['编号', 'No.'],
  'proj.holderName': ['姓名或名称', 'Name'],
  'proj.idMasked': ['身份证号码（脱敏）', 'ID number (masked)'],
  'proj.holderArea': ['面积（亩）', 'Area (mu)'],
  'proj.holderState': ['意愿', 'Consent'],
  'proj.state.none': ['未同意', 'Not yet'],
  'proj.state.consent': ['已书面同意', 'Consented'],
  'proj.state.signed': ['已签协议', 'Signed'],
  'proj.holdersHidden': ['权益人名单仅项目所在镇街与市级用户可见', 'Only the project\'s town and the city see the holders'],
  'proj.votePassed': ['表决通过', 'passed'],
  'proj.reasonHint': ['如：不可抗力（台风）、政府原因、录入有误', 'e.g. force majeure, government action, entered by mistake'],
  'proj.record.title': ['中止、恢复、延期、作废与备注', 'Suspend, resume, extend, void or note'],
  'proj.record.kind': ['记录类型', 'What to record'],
  'proj.record.suspend': ['中止（停止计时）', 'Suspend (clocks stop)'],
  'proj.record.resume': ['恢复（重新计时）', 'Resume (clocks run again)'],
  'proj.record.extend': ['延长某一期限', 'Extend one deadline'],
  'proj.record.void': ['作废一条错误记录', 'Void a wrong entry'],
  'proj.record.note': ['备注', 'Note'],
  'proj.record.target': ['作废哪条记录', 'Entry to void'],
  'proj.record.days': ['延长天数', 'Days'],
  'proj.record.submit': ['记录', 'Record'],
  'proj.record.done': ['已记录', 'Recorded'],
  'proj.voteFailed': ['表决未通过', 'not passed'],
  'zone.title': ['片区档案', 'Zone dossier'],
  'zone.open': ['片区档案', 'Zone dossier'],
  'zone.export': ['导出片区档案（XLSX）', 'Export the dossier (XLSX)'],
  'zone.figures': ['片区概况', 'Figures'],
  'zone.map': ['片区范围', 'Outline'],
  'zone.parcels': ['片区内宗地', 'Parcels in the zone'],
  'zone.enterprises': ['片区内企业', 'Enterprises in the zone'],
  'zone.findings': ['认定规则命中宗地数', 'Parcels per rule'],
  'zone.classes': ['评价类别用地（亩）', 'Land by class (mu)'],
  'zone.noParcels': ['片区内没有宗地', 'No parcel in the zone'],
  'zone.noEnterprises': ['片区内没有在地企业', 'No enterprise in the zone'],
  'zone.parcelMu': ['宗地面积合计（亩）', 'Parcel area (mu)'],
  'zone.land_mu': ['片区内用地（亩）', 'Land in the zone (mu)'],

  'history.at': ['时间（北京时间）', 'When (Beijing time)'],
  'history.who': ['操作人', 'Who'],
  'history.action': ['操作', 'Action'],
  'history.source': ['对象', 'Record'],

  'tables.title': ['数据表', 'Tables'],
  'tables.evaluation': ['亩均评价结果', 'Evaluation results'],
  'tables.findings': ['低效认定结果', 'Findings'],
  'tables.zones': ['连片片区', 'Zones'],
  'tables.parcels': ['宗地', 'Parcels'],
  'tables.enterprises': ['企业', 'Enterprises'],
  'tables.buildings': ['建筑物', 'Buildings'],
  'tables.metrics': ['企业经营指标', 'Enterprise figures'],
  'tables.useType': ['用途', 'Use'],
  'tables.parcel': ['宗地代码', 'Parcel code'],
  'tables.parcelHint': ['完整宗地代码', 'full parcel code'],
  'tables.year': ['年度', 'Year'],
  'tables.uscc': ['统一社会信用代码', 'USCC'],
  'tables.usccHint': ['18 位代码', '18 characters'],
  'tables.town': ['镇街', 'Town'],
  'tables.class': ['类别', 'Class'],
  'tables.category': ['低效类型', 'Type'],
  'tables.scale': ['企业规模', 'Scale'],
  'tables.list': ['名单', 'List'],
  'tables.run': ['批次', 'Run'],
  'tables.latest': ['最新批次', 'Latest run'],
  'tables.q': ['关键字', 'Search'],
  'tables.qHint': ['代码、名称等', 'code, name…'],
  'tables.reset': ['清除筛选', 'Clear filters'],
  'tables.total': ['共 {n} 条', '{n} rows'],
  'tables.page': ['第 {page} / {pages} 页', 'Page {page} of {pages}'],
  'tables.prev': ['上一页', 'Previous'],
  'tables.next': ['下一页', 'Next'],
  'tables.pageSize': ['每页', 'Per page'],
  'tables.export': ['导出', 'Export'],
  'tables.exporting': ['正在导出…', 'Exporting…'],
  'tables.exported': ['已导出 {name}', 'Downloaded {name}'],
  'tables.run.evaluation': ['{year} 年评价（批次 {id}）', '{year} evaluation (run {id})'],
  'tables.run.identification': ['截至 {as_of}（批次 {id}）', 'As of {as_of} (run {id})'],
  'tables.run.zones': ['片区批次 {id}（{created}）', 'Zone run {id} ({created})'],
  'tables.noRun': ['库中还没有该结果，请先运行相应的分析。', 'Nothing has been run yet for this list.'],

  'dash.title': ['统计看板', 'Dashboard'],
  'dash.town': ['范围', 'Scope'],
  'dash.parcels': ['宗地', 'Parcels'],
  'dash.mu': ['宗地面积（亩）', 'Parcel area (mu)'],
  'dash.findingParcels': ['低效宗地', 'Low-efficiency parcels'],
  'dash.findingMu': ['低效用地面积（亩）', 'Low-efficiency area (mu)'],
  'dash.zones': ['连片片区', 'Renewal zones'],
  'dash.enterprises': ['企业', 'Enterprises'],
  'dash.share': ['占 {p}', '{p} of total'],
  'dash.classesByTown': ['各镇街评价类别用地面积（亩）', 'Land by class and town (mu)'],
  'dash.lowByCategory': ['各镇街低效用地面积（按类型，亩）', 'Low-efficiency land by type and town (mu)'],
  'dash.lowNote': ['一宗地可同时属于多个类型，各类型面积不相加。', 'A parcel may fall under several types: the types do not add up.'],
  'dash.trend': ['历年评价类别企业数', 'Units per class by year'],
  'dash.median': ['亩均税收中位数（万元/亩）', 'Median tax per mu'],
  'dash.best': ['亩均效益前十', 'Top ten'],
  'dash.bestOf': ['{list} · 亩均效益前十', '{list}: top ten'],
  'dash.worstOf': ['{list} · 亩均效益后十', '{list}: bottom ten'],
  'dash.units': ['单元数', 'Units'],
  'dash.class': ['{code}类', 'Class {code}'],
  'dash.rank': ['序号', '#'],
  'dash.run': ['评价批次', 'Evaluation run'],
  'dash.ofRun': ['{year} 年评价（批次 {id}）', '{year} evaluation (run {id})'],
  'dash.noRun': ['尚无评价批次', 'No evaluation run yet'],

  'import.title': ['数据导入', 'Import data'],
  'import.entity': ['数据类型', 'Data'],
  'import.file': ['文件', 'File'],
  'import.fileHint': ['支持 Shapefile（请将 .shp/.dbf/.shx/.prj/.cpg 打包为 .zip）、GeoPackage、GeoJSON、CSV、XLSX（中文表头）。',
    'Shapefile (zip the .shp/.dbf/.shx/.prj/.cpg together), GeoPackage, GeoJSON, CSV or XLSX with Chinese headers.'],
  'import.check': ['上传并校验', 'Upload and check'],
  'import.checking': ['正在校验…', 'Checking…'],
  'import.steps': ['先校验（不写入任何数据），确认无误后再导入。', 'The file is checked first (nothing is written); then confirm to import it.'],
  'import.report': ['校验报告', 'Validation report'],
  'import.result': ['导入结果', 'Import result'],
  'import.rows_read': ['读取行数', 'Rows read'],
  'import.would_insert': ['新增', 'New'],
  'import.would_update': ['更新', 'Updated'],
  'import.unchanged': ['未变化', 'Unchanged'],
  'import.rejected': ['拒绝', 'Rejected'],
  'import.errors': ['错误', 'Errors'],
  'import.warnings': ['警告', 'Warnings'],
  'import.problems': ['问题清单', 'Problems'],
  'import.noProblems': ['未发现问题', 'No problems found'],
  'import.rejects': ['下载问题行（改正后可重新导入）', 'Download the bad rows (fix them and import again)'],
  'import.acceptFar': ['接受远处的图形', 'Accept far places'],
  'import.acceptFarHint': ['位于中国境外、库坐标系投影带外或库中行政区划外的图形按警告导入（确属此处时才勾选）',
    'Load features outside China, the store\'s projection zone or its divisions as warnings (only if they really are there)'],
  'import.skipBad': ['只导入合格行（{good} 行，跳过 {bad} 行）', 'Import only the good rows ({good}; skip {bad})'],
  'import.confirm': ['确认导入', 'Confirm import'],
  'import.confirming': ['正在导入…', 'Importing…'],
  'import.blocked': ['存在错误，不能全部导入。请修正文件后重新上传，或只导入合格行。', 'There are errors: fix the file and upload it again, or import only the good rows.'],
  'import.done': ['导入完成', 'Imported'],
  'import.notDone': ['未写入任何数据', 'Nothing was written'],
  'import.again': ['导入其他文件', 'Import another file'],
  'import.notes': ['说明', 'Notes'],
  'import.p.file': ['文件', 'File'],
  'import.p.row': ['行', 'Row'],
  'import.p.field': ['字段', 'Field'],
  'import.p.value': ['值', 'Value'],
  'import.p.reason': ['原因', 'Reason'],
  'import.p.severity': ['级别', 'Severity'],
  'import.severity.error': ['错误', 'Error'],
  'import.severity.warning': ['警告', 'Warning'],
  'import.forbidden': ['只有市级用户和管理员可以导入数据。', 'Only city users and administrators import data.'],
  'import.chooseFile': ['请选择文件', 'Choose a file'],

  'users.title': ['用户管理', 'Users'],
  'users.new': ['新建用户', 'New user'],
  'users.username': ['登录名', 'User name'],
  'users.display_name': ['姓名', 'Name'],
  'users.role': ['角色', 'Role'],
  'users.division': ['镇街', 'Town'],
  'users.password': ['初始口令（至少 8 位）', 'Password (8+ characters)'],
  'users.active': ['启用', 'Active'],
  'users.create': ['创建', 'Create'],
  'users.created': ['已创建用户 {name}', 'User {name} created'],
  'users.disable': ['停用', 'Disable'],
  'users.enable': ['启用', 'Enable'],
  'users.updated': ['已更新用户 {name}', 'User {name} updated'],
  'users.forbidden': ['只有管理员可以管理用户。', 'Only administrators manage users.'],
  'users.edit': ['编辑', 'Edit'],
  'users.editTitle': ['编辑用户 {name}', 'Edit user {name}'],
  'users.newPassword': ['重置口令（留空则不变）', 'New password (leave empty to keep)'],
  'users.divisionNeeded': ['镇街用户必须指定所属镇街', 'A town user needs a town'],
  'users.unchanged': ['没有修改任何内容', 'Nothing was changed'],
  'users.self': ['不能停用自己或更改自己的角色', 'You cannot disable yourself or change your own role'],

  'audit.title': ['操作日志', 'Audit log'],
  'audit.at': ['时间（北京时间）', 'When (Beijing time)'],
  'audit.since': ['起始日期', 'From'],
  'audit.until': ['截止日期', 'Until'],
  'audit.zone': ['时间均为北京时间（UTC+8）', 'All times are Beijing time (UTC+8)'],
  'audit.reason': ['修改原因', 'Reason'],
  'audit.who': ['操作人', 'Who'],
  'audit.action': ['操作', 'Action'],
  'audit.entity': ['对象', 'Entity'],
  'audit.key': ['记录', 'Record'],
  'audit.change': ['变更内容', 'Change'],
  'audit.forbidden': ['只有管理员可以查看操作日志。', 'Only administrators see the audit log.'],
  'audit.passwordReset': ['口令已重置', 'password reset'],
  'audit.created': ['新建', 'created'],
  'audit.removed': ['删除', 'removed'],
  'audit.noChange': ['无字段变化', 'no field changed'],
  'audit.more': ['其余 {n} 项', '{n} more'],
  'audit.commandLine': ['命令行（系统账户 {name}）', 'command line (system account {name})'],
  'selection.class': ['{values} 类宗地', 'parcels of class {values}'],
  'selection.rule': ['按「{values}」认定的宗地', 'parcels found by {values}'],
  'selection.category': ['{values}', '{values}'],
  'selection.or': ['或', 'or'],
};

let current = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === 'en' ? 'en' : 'zh';
  localStorage.setItem(KEY, current);
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
}

document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';

/** The pair's string in the current language. */
export function pick(pair) {
  if (!pair) return '';
  return current === 'en' ? pair[1] ?? pair[0] : pair[0];
}

/** The UI string ``key`` with ``{name}`` placeholders filled from ``vars``. */
export function t(key, vars) {
  const pair = STRINGS[key];
  let text = pair ? pick(pair) : key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (vars[name] ?? m));
  return text;
}

/** A list column's header ({label_zh, label_en} from the API). */
export function columnLabel(column) {
  return current === 'en' ? column.label_en || column.label_zh || column.name : column.label_zh || column.name;
}

// The domain's own names (GET /api/labels at start): every field and derived figure, each table's
// own labels, coded values in words, the evidence, the policy parameters the rules compare with,
// and the rules. The UI keeps no copy of them.
const DOMAIN = {
  fields: {}, entities: {}, values: {}, evidence: {}, parameters: {}, rules: {}, policies: {}, private: [],
};

export function useDomainLabels(labels) {
  Object.assign(DOMAIN, labels);
}

/** Whether a value of this name is private (the server's rule, domain/privacy.py). */
export function isPrivateName(name) {
  return DOMAIN.private.includes(name);
}

function domainField(name) {
  return DOMAIN.evidence[name] || DOMAIN.parameters[name] || DOMAIN.fields[name];
}

/**
 * A field's label: the server's Chinese label if given, else the domain's; a name nobody named
 * shows as it is (so that a missing label is seen, not hidden).
 */
export function fieldLabel(name, serverLabels) {
  if (current === 'zh' && serverLabels && serverLabels[name]) return serverLabels[name];
  if (domainField(name)) return pick(domainField(name));
  if (serverLabels && serverLabels[name]) return serverLabels[name];
  return name;
}

/** Whether a label is known for ``name`` (else show the name itself). */
export function knownField(name) {
  return Boolean(domainField(name));
}

/** A rule's name in the current language (``fallback``, the name the record carries, otherwise). */
export function ruleLabel(ruleId, fallback) {
  return DOMAIN.rules[ruleId] ? pick(DOMAIN.rules[ruleId]) : fallback || ruleId;
}

/** A coded value in words (``state`` → 国有); other values as they are. */
export function valueLabel(field, value) {
  const pair = DOMAIN.values[field]?.[value];
  return pair ? pick(pair) : value;
}

/**
 * A zone run's selection in words: ``class:C,D;rule:local.x`` → C、D 类宗地或按「…」认定的宗地. The
 * code stays as the tooltip; a selection that cannot be read is shown as written.
 */
export function selectionLabel(text) {
  const list = current === 'en' ? ', ' : '、';
  const parts = String(text).split(';').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [kind, rest = ''] = part.split(':');
    const values = rest.split(/[,，]/).map((v) => v.trim()).filter(Boolean);
    if (!values.length) return valueLabel('selection', kind);
    if (kind === 'rule') return t('selection.rule', { values: values.map((id) => ruleLabel(id)).join(list) });
    if (kind === 'class' || kind === 'category') return t(`selection.${kind}`, { values: values.join(list) });
    return part;
  });
  return parts.join(current === 'en' ? ` ${t('selection.or')} ` : t('selection.or'));
}

/**
 * A policy by its name: ``id``, ``id@version`` or ``file id@version`` (what a run records); the
 * reference as written when it names no shipped policy (a user's own file).
 */
export function policyLabel(reference) {
  const words = String(reference ?? '').split(/\s+/).map((w) => w.split('@')[0]);
  const id = words.find((w) => DOMAIN.policies[w]);
  return id ? pick(DOMAIN.policies[id]) : reference;
}

/** Who did it: a log-in name, or ``os:name`` for the command line run by that system account. */
export function actorLabel(username) {
  const os = /^os:(.+)$/.exec(username || '');
  return os ? t('audit.commandLine', { name: os[1] }) : username;
}

/** The inventory tables one may import, by their key: [[key, label]]. */
export function entityChoices() {
  return Object.entries(DOMAIN.entities).map(([key, entity]) => [key, pick(entity.name)]);
}

export function entityLabel(entity) {
  return valueLabel('entity', entity);
}

export function roleLabel(role) {
  return valueLabel('role', role);
}

export function locale() {
  return current === 'en' ? 'en-US' : 'zh-CN';
}
