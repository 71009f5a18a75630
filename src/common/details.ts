/** ZITADEL's ObjectDetails: the state of an aggregate after a change. */
export interface Details {
  /** uint64 as a decimal string, as protojson renders it. */
  sequence: string;
  changeDate: Date;
  resourceOwner: string;
}

export const details = (sequence: number, changeDate: Date, resourceOwner: string): Details => ({
  sequence: String(sequence),
  changeDate,
  resourceOwner,
});
