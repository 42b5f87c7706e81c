/** Title fragments identifying each document id the eval sets use for the original corpus (other ids are looked up). */
export const DOC_TITLES: Record<string, string> = {
  'kaiping-award': '开平市水暖卫浴产品质量优秀奖评审管理办法',
  'kaiping-plan': '开平市水暖卫浴行业质量提升工作方案',
  zhongshan: '中山市',
  shantou: '汕头市',
  sichuan: '四川省',
  jiangmen: '江门市',
};
