-- Catalog seed: the category tree for the sectors the traceability programmes name.
-- A code is its path (parent code + '.' + one segment), so ancestry can be read from the code alone.
-- The key-trace catalog (重点追溯产品目录) is left empty: platform admins list categories on it.

INSERT INTO categories (code, parent_code, name_zh, name_en) VALUES
  ('AGRI',                       NULL,              '食用农产品',       'Edible agricultural products'),
  ('AGRI.VEG',                   'AGRI',            '蔬菜',             'Vegetables'),
  ('AGRI.VEG.LEAFY',             'AGRI.VEG',        '叶菜类',           'Leafy vegetables'),
  ('AGRI.VEG.ROOT',              'AGRI.VEG',        '根茎类',           'Root and tuber vegetables'),
  ('AGRI.VEG.FUNGI',             'AGRI.VEG',        '食用菌',           'Edible fungi'),
  ('AGRI.FRUIT',                 'AGRI',            '水果',             'Fruit'),
  ('AGRI.MEAT',                  'AGRI',            '畜禽肉',           'Livestock and poultry meat'),
  ('AGRI.MEAT.PORK',             'AGRI.MEAT',       '猪肉',             'Pork'),
  ('AGRI.MEAT.BEEF',             'AGRI.MEAT',       '牛肉',             'Beef'),
  ('AGRI.MEAT.MUTTON',           'AGRI.MEAT',       '羊肉',             'Mutton'),
  ('AGRI.MEAT.POULTRY',          'AGRI.MEAT',       '禽肉',             'Poultry meat'),
  ('AGRI.AQUA',                  'AGRI',            '水产品',           'Aquatic products'),
  ('AGRI.AQUA.FISH',             'AGRI.AQUA',       '鱼类',             'Fish'),
  ('AGRI.AQUA.CRUST',            'AGRI.AQUA',       '虾蟹类',           'Crustaceans'),
  ('AGRI.AQUA.SHELL',            'AGRI.AQUA',       '贝类',             'Shellfish'),
  ('AGRI.EGG',                   'AGRI',            '鲜蛋',             'Eggs'),
  ('AGRI.GRAIN',                 'AGRI',            '粮食',             'Grain'),
  ('AGRI.TEA',                   'AGRI',            '茶叶',             'Tea'),

  ('PROC',                       NULL,              '加工食品',         'Processed food'),
  ('PROC.DAIRY',                 'PROC',            '乳制品',           'Dairy products'),
  ('PROC.INFANT',                'PROC',            '婴幼儿配方食品',   'Infant formula'),
  ('PROC.MEAT',                  'PROC',            '肉制品',           'Meat products'),
  ('PROC.GRAIN',                 'PROC',            '粮食加工品',       'Grain products'),
  ('PROC.OIL',                   'PROC',            '食用油',           'Edible oil'),
  ('PROC.CONDIMENT',             'PROC',            '调味品',           'Condiments'),

  ('IMPORT',                     NULL,              '进口食品',         'Imported food'),
  ('IMPORT.COLDCHAIN',           'IMPORT',          '进口冷链食品',     'Imported cold-chain food'),
  ('IMPORT.MEAT',                'IMPORT',          '进口肉类',         'Imported meat'),
  ('IMPORT.AQUA',                'IMPORT',          '进口水产品',       'Imported aquatic products'),

  ('LIQUOR',                     NULL,              '酒类',             'Liquor'),
  ('LIQUOR.BAIJIU',              'LIQUOR',          '白酒',             'Baijiu'),
  ('LIQUOR.HUANGJIU',            'LIQUOR',          '黄酒',             'Huangjiu (yellow rice wine)'),
  ('LIQUOR.BEER',                'LIQUOR',          '啤酒',             'Beer'),
  ('LIQUOR.WINE',                'LIQUOR',          '葡萄酒',           'Grape wine'),

  ('DRUG',                       NULL,              '药品',             'Drugs'),
  ('DRUG.CHEM',                  'DRUG',            '化学药品',         'Chemical drugs'),
  ('DRUG.TCM',                   'DRUG',            '中药',             'Traditional Chinese medicines'),
  ('DRUG.BIO',                   'DRUG',            '生物制品',         'Biological products'),

  ('INPUT',                      NULL,              '农业投入品',       'Agricultural inputs'),
  ('INPUT.PESTICIDE',            'INPUT',           '农药',             'Pesticides'),
  ('INPUT.PESTICIDE.RESTRICTED', 'INPUT.PESTICIDE', '限制使用农药',     'Restricted-use pesticides'),
  ('INPUT.FERTILIZER',           'INPUT',           '肥料',             'Fertilizers'),
  ('INPUT.SEED',                 'INPUT',           '种子',             'Seeds'),
  ('INPUT.VETDRUG',              'INPUT',           '兽药',             'Veterinary drugs'),
  ('INPUT.FEED',                 'INPUT',           '饲料',             'Feed');
