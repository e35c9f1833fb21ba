/** Well-known logins for the demo on loopback; never use these outside the demo. */
export const demoAccounts = {
  owner: { email: "owner@example.com", password: "shipshape-demo-owner" },
  member: { email: "member@example.com", password: "shipshape-demo-member" },
} as const;
