import { CODE_ALPHABET, CODE_LENGTH, PAYLOAD_LENGTH } from '../codes/code-scheme.ts';

/** This platform node's identity and its code rule, as partners and administrators read it. */
export interface NodeIdentity {
  nodeId: string;
  nodeName: string;
  publicUrl: string;
  version: string;
  codeScheme: {
    alphabet: string; length: number; payloadLength: number;
    kinds: Array<{ kind: 'batch' | 'item'; char: string }>;
    check: string;
    /** Codes possible per node and kind: 31^payloadLength. */
    payloadSpace: number;
    example: string;
    /** Where each setting comes from and whether it may change. */
    settings: Array<{ name: string; value: string; source: string; changeable: boolean; why: { zh: string; en: string } }>;
  };
}

export function nodeIdentity(cfg: { nodeId: string; nodeName: string; publicUrl: string; version: string; example: string }): NodeIdentity {
  return {
    nodeId: cfg.nodeId, nodeName: cfg.nodeName, publicUrl: cfg.publicUrl, version: cfg.version,
    codeScheme: {
      alphabet: CODE_ALPHABET, length: CODE_LENGTH, payloadLength: PAYLOAD_LENGTH,
      kinds: [{ kind: 'batch', char: 'B' }, { kind: 'item', char: 'P' }],
      check: 'weighted sum mod 31 = 0 (weights 3^k mod 31)',
      payloadSpace: CODE_ALPHABET.length ** PAYLOAD_LENGTH,
      example: cfg.example,
      settings: [
        {
          name: 'SUYUAN_NODE_ID', value: cfg.nodeId, source: 'environment', changeable: false,
          why: {
            zh: '节点号写在每个已发放的追溯码开头，用于联邦路由；发码后更改会使已印刷的码无法路由。',
            en: 'The node id opens every code already issued and routes scans in a federation; changing it after issuing codes would strand printed labels.',
          },
        },
        {
          name: 'SUYUAN_NODE_NAME', value: cfg.nodeName, source: 'environment', changeable: true,
          why: { zh: '显示在扫码页和接口文档中，重启后生效。', en: 'Shown on scan pages and in the API docs; takes effect on restart.' },
        },
        {
          name: 'PUBLIC_URL', value: cfg.publicUrl, source: 'environment', changeable: true,
          why: {
            zh: '二维码中的地址前缀；已印刷标签仍指向旧地址，更改前须保留旧地址的转发。',
            en: 'The address printed in QR codes; labels already printed keep the old one, so keep it forwarding before a change.',
          },
        },
      ],
    },
  };
}
