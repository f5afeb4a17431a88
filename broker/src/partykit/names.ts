/** The party that keeps the rooms index, and its one room. */
export const INDEX_PARTY = 'roomindex';
export const INDEX_NAME = 'all';
