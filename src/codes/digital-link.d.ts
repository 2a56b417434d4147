// digital-link.js ships no types; this declares the part of its API that src/codes uses.
declare module 'digital-link.js' {
  interface DigitalLinkObject {
    isValid(): boolean;
    getIdentifier(): Record<string, string>;
    getKeyQualifiers(): Record<string, string>;
  }
  const digitalLink: { DigitalLink(input: string): DigitalLinkObject };
  export default digitalLink;
}
